#!/usr/bin/env bash
# The main job on the bundled example (examples/multidb_shop): build; give the example a Python environment
# with Django (cached venv) and a realistic state (`manage.py migrate --database=default` only, so the
# analytics and legacy databases have pending migrations); then scan it: databases, routing matrix (which
# router decided), pending migrations per database in Django's order, cross-database foreign keys.
# Extra arguments go to `django-multidb scan` (e.g. --json).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
node scripts/build.mjs >/dev/null
PY=$(bash scripts/python-env.sh | tail -n 1)
EX=examples/multidb_shop
if [ ! -f "$EX/db.sqlite3" ]; then
  echo "example: migrating the 'default' database only (manage.py migrate --database=default)" >&2
  (cd "$EX" && "$PY" manage.py migrate --database=default >/dev/null)
fi
node bin/django-multidb.js scan "$EX" --python "$PY" "$@"
