#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run) and as the README tells a newcomer: `npm install && npm test`.
# Installs what it needs itself (Python venv with Django, PostgreSQL cluster, code-server, chromium), caching the
# slow parts outside the clone (${DJANGO_MULTIDB_CACHE:-~/.cache/django-multidb}).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$PATH"   # Node 24 from the npm registry (better-sqlite3 13 needs N-API 10)
mkdir -p test-results
step() { printf '\n=== %s\n' "$*"; }
t0=$(date +%s)

step "build, type-check, lint"
node scripts/build.mjs
tsc --noEmit -p .
eslint src webview test/unit test/integration

step "Python venv with Django (cached)"
DJANGO_MULTIDB_PYTHON=$(bash scripts/python-env.sh | tail -n 1)
export DJANGO_MULTIDB_PYTHON
"$DJANGO_MULTIDB_PYTHON" -c 'import django; print("Django", django.get_version())'

# Throwaway database servers on ports of their own, stopped (and their data deleted) when this script exits.
# The unit tests' temporary folders go to a folder of this run's own, deleted at the end: a test that fails (or
# forgets) to clean up leaves nothing in the machine's /tmp.
STARTED=()
RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/django-multidb-test.XXXXXX")
chmod 1777 "$RUN_TMP"   # like /tmp: the database servers' users may read what a test puts there
trap 'for s in "${STARTED[@]}"; do bash "scripts/$s.sh" stop >/dev/null 2>&1 || true; done; rm -rf "$RUN_TMP"' EXIT
server() {  # server <scripts/NAME.sh> <variable for its URL> <what>
  local script=$1 var=$2 what=$3
  step "throwaway $what"
  if bash "scripts/$script.sh" start; then
    STARTED+=("$script")
    printf -v "$var" '%s' "$(bash "scripts/$script.sh" url)"
    export "${var?}"
  else
    echo "$what could not be started: the tests that need it fail (PostgreSQL) or are skipped (MariaDB)" >&2
  fi
}
server pg DJANGO_MULTIDB_PG_URL "PostgreSQL cluster"
server mariadb DJANGO_MULTIDB_MARIADB_URL "MariaDB server"

step "unit, oracle and CLI tests (node --test)"
unit_rc=0
TMPDIR=$RUN_TMP node --import tsx --test --test-concurrency=1 --test-timeout=600000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=test-results/unit.tap \
  "test/unit/**/*.test.ts" "test/oracle/**/*.test.ts" || unit_rc=$?
u_pass=$(awk '/^# pass /{print $3}' test-results/unit.tap | tail -n 1)
u_fail=$(awk '/^# fail /{print $3}' test-results/unit.tap | tail -n 1)

vs_pass=0; vs_fail=0; vs_rc=0
if [ "${DJANGO_MULTIDB_SKIP_VSCODE:-}" != 1 ] && [ -f scripts/test-vscode.sh ]; then
  step "VS Code: package, integration tests in code-server, UI tests in chromium"
  bash scripts/test-vscode.sh 2>&1 | tee test-results/vscode.log || vs_rc=$?
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' test-results/vscode.log | tail -n 1 || true)
  if [ -n "$line" ]; then
    vs_pass=$(echo "$line" | awk '{print $1}'); vs_fail=$(echo "$line" | awk '{print $3}')
  elif [ "$vs_rc" != 0 ]; then vs_fail=1; fi
fi

pass=$(( ${u_pass:-0} + vs_pass )); fail=$(( ${u_fail:-0} + vs_fail ))
[ "$unit_rc" != 0 ] && [ "$fail" = 0 ] && fail=1
[ "$vs_rc" != 0 ] && [ "$fail" = 0 ] && fail=1
printf '\n=== done in %ss\n' $(( $(date +%s) - t0 ))
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
