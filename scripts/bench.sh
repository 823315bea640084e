#!/usr/bin/env bash
# npm run bench: build, then time `scan --json` against `manage.py showmigrations` per alias (bench/run.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
node scripts/build.mjs >/dev/null
DJANGO_MULTIDB_PYTHON=${DJANGO_MULTIDB_PYTHON:-$(bash scripts/python-env.sh | tail -n 1)}
export DJANGO_MULTIDB_PYTHON
node bench/run.mjs "$@"
