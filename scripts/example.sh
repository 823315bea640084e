#!/usr/bin/env bash
# The main job on the bundled example: build, then scan examples/multidb_shop (routing matrix, pending
# migrations per database, cross-database foreign keys).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
node scripts/build.mjs >/dev/null
node bin/django-multidb.js scan examples/multidb_shop "$@"
