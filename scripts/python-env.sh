#!/usr/bin/env bash
# Create (once) and verify a Python virtualenv with real Django 5.2 + psycopg 3,
# used by the oracle and integration tests.
#
#   bash scripts/python-env.sh            # prints the venv's python on the last stdout line
#   PY=$(bash scripts/python-env.sh | tail -n1)
#
# The venv lives outside the repo so that fresh clones on the same machine reuse it:
#   ${DJANGO_MULTIDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-multidb}/venv-django52
# Environment:
#   DJANGO_MULTIDB_CACHE   cache root (see above)
#   DJANGO_MULTIDB_BASE_PYTHON  base interpreter used to create the venv (default: python3)
# Safe to run concurrently: creation is serialised with flock(1).
set -euo pipefail

CACHE_DIR="${DJANGO_MULTIDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-multidb}"
VENV="$CACHE_DIR/venv-django52"
BASE_PY="${DJANGO_MULTIDB_BASE_PYTHON:-python3}"
# pymysql: Django reaches MariaDB through pymysql.install_as_MySQLdb() in the MySQL oracle tests
# environs + dj-database-url: the settings oracle tests read environs-based settings with the real library
# pyyaml: and settings that read a YAML file (yaml.safe_load)
REQS=("django>=5.2,<5.3" "psycopg-binary" "psycopg" "pymysql" "environs" "dj-database-url" "pyyaml")

log() { echo "python-env: $*" >&2; }

check() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - <<'PY' >/dev/null 2>&1
import django, psycopg
assert django.VERSION[:2] == (5, 2), django.VERSION
PY
}

mkdir -p "$CACHE_DIR"

# Fast path: already there and working, no lock needed.
if ! check; then
  exec 9>"$CACHE_DIR/venv-django52.lock"
  flock 9
  # Someone else may have built it while we waited for the lock.
  if ! check; then
    log "creating $VENV with $($BASE_PY --version 2>&1)"
    rm -rf "$VENV"
    "$BASE_PY" -m venv "$VENV" >&2
    "$VENV/bin/python" -m pip install --retries 0 --quiet "${REQS[@]}" >&2 || {
      log "pip install failed"; rm -rf "$VENV"; exit 1; }
    if ! check; then
      log "venv created but 'import django, psycopg' (Django 5.2) fails"
      "$VENV/bin/python" -c 'import django, psycopg; print(django.get_version())' >&2 || true
      exit 1
    fi
  fi
  flock -u 9
fi

# A venv cached before a requirement was added gets it installed in place (it is shared: never rebuilt for that)
if ! "$VENV/bin/python" -c 'import pymysql, environs, dj_database_url, yaml' >/dev/null 2>&1; then
  exec 9>"$CACHE_DIR/venv-django52.lock"
  flock 9
  "$VENV/bin/python" -c 'import pymysql' >/dev/null 2>&1 \
    || "$VENV/bin/python" -m pip install --retries 0 --quiet pymysql >&2 || log "pip install pymysql failed: the MySQL oracle tests will be skipped"
  "$VENV/bin/python" -c 'import environs, dj_database_url' >/dev/null 2>&1 \
    || "$VENV/bin/python" -m pip install --retries 0 --quiet environs dj-database-url >&2 || log "pip install environs failed: its oracle test will be skipped"
  "$VENV/bin/python" -c 'import yaml' >/dev/null 2>&1 \
    || "$VENV/bin/python" -m pip install --retries 0 --quiet pyyaml >&2 || log "pip install pyyaml failed: its oracle test will be skipped"
  flock -u 9
fi

# GDAL: django.contrib.gis loads it when a PostGIS backend is set up (an oracle test compares the gis models Django
# registers then; a fresh Debian machine lacks it, and a machine that had it installed by hand hid that)
if ! "$VENV/bin/python" -c 'import ctypes.util, sys; sys.exit(0 if ctypes.util.find_library("gdal") else 1)' >/dev/null 2>&1; then
  bash "$(dirname "$0")/apt-install.sh" libgdal32 >&2 || log "libgdal32 could not be installed: the PostGIS oracle test will fail (GDAL missing)"
fi

log "$("$VENV/bin/python" -c 'import django, psycopg; print("django", django.get_version(), "psycopg", psycopg.__version__)')"
echo "$VENV/bin/python"
