#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for integration tests.
#
#   bash scripts/pg.sh start    # (re)create a fresh cluster, wait until ready, create dmdb_main + dmdb_wh
#   bash scripts/pg.sh url      # postgres://dmdb:dmdb-secret@127.0.0.1:PORT/
#   bash scripts/pg.sh status   # exit 0 when the cluster answers
#   bash scripts/pg.sh stop     # stop it and delete its data dir (fine when nothing runs)
#
# Listens on 127.0.0.1:${DJANGO_MULTIDB_PG_PORT:-55432} only; data dir /tmp/django-multidb-pg-$PORT.
# TCP connections need a password (scram-sha-256): user dmdb / dmdb-secret, so a wrong
# password is rejected. `start` always begins from a clean cluster: a stale one left by an
# earlier run on the same port is stopped and deleted first.
# When run as root, the server runs as the `postgres` OS user (created if missing).
set -euo pipefail

PORT="${DJANGO_MULTIDB_PG_PORT:-55432}"
DATA="/tmp/django-multidb-pg-$PORT"
PGDATA_DIR="$DATA/data"
SOCK="$DATA/sock"
LOGFILE="$DATA/server.log"
LOCK="/tmp/django-multidb-pg-$PORT.lock"
USER_NAME="dmdb"
USER_PASS="dmdb-secret"
DATABASES_TO_CREATE=(dmdb_main dmdb_wh)

log() { echo "pg.sh: $*" >&2; }
die() { log "$*"; exit 1; }

find_pgbin() {
  local p
  if p="$(command -v pg_ctl 2>/dev/null)"; then
    dirname "$(readlink -f "$p")"
    return
  fi
  for p in /usr/lib/postgresql/*/bin; do
    [ -x "$p/pg_ctl" ] && { echo "$p"; return; }
  done
  return 1
}
find_or_install_pgbin() {
  find_pgbin && return
  # A fresh machine may lack the server binaries (only the client): install them with apt, as for chromium.
  log "pg_ctl not found: installing Debian's postgresql (server binaries)"
  bash "$(dirname "$0")/apt-install.sh" postgresql >&2 || die "could not install postgresql with apt"
  find_pgbin || die "pg_ctl not found even after installing postgresql"
}
PGBIN="$(find_or_install_pgbin)"
PSQL="$PGBIN/psql"; [ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
PG_ISREADY="$PGBIN/pg_isready"; [ -x "$PG_ISREADY" ] || PG_ISREADY="$(command -v pg_isready || true)"

if [ "$(id -u)" = 0 ]; then
  RUN_USER=postgres
  ensure_os_user() {
    if ! id -u postgres >/dev/null 2>&1; then
      log "creating OS user postgres"
      useradd --system --no-create-home --shell /bin/bash postgres
    fi
  }
  as_pg() {
    if command -v runuser >/dev/null 2>&1; then
      (cd /tmp && exec 9>&- && runuser -u postgres -- "$@")
    else
      local q; printf -v q '%q ' "$@"
      (cd /tmp && exec 9>&- && su postgres -s /bin/bash -c "$q")
    fi
  }
else
  RUN_USER="$(id -un)"
  ensure_os_user() { :; }
  as_pg() { (cd /tmp && exec 9>&- && "$@"); }
fi

admin_psql() {
  as_pg "$PSQL" -X -q -h "$SOCK" -p "$PORT" -U "$RUN_USER" -d postgres -v ON_ERROR_STOP=1 "$@"
}

stop_cluster() {
  if [ -f "$PGDATA_DIR/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 || {
      local pid
      pid="$(head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)"
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        log "pg_ctl stop failed; killing postmaster $pid"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null || true
      fi
    }
  fi
  rm -rf "$DATA"
}

port_busy() {
  [ -n "$PG_ISREADY" ] || return 1
  local rc=0
  "$PG_ISREADY" -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1 || rc=$?
  [ "$rc" != 2 ]   # 0 accepting, 1 rejecting, 2 no response, 3 bad params
}

start_cluster() {
  ensure_os_user
  stop_cluster
  if port_busy; then
    die "something already answers on 127.0.0.1:$PORT (not our data dir $DATA); set DJANGO_MULTIDB_PG_PORT"
  fi
  mkdir -p "$PGDATA_DIR" "$SOCK"
  chmod 700 "$DATA" "$PGDATA_DIR"
  [ "$RUN_USER" = postgres ] && chown -R postgres: "$DATA"

  # The superuser has no password: it only connects over the unix socket (trust).
  as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U "$RUN_USER" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$DATA/initdb.log" 2>&1 \
    || { cat "$DATA/initdb.log" >&2; die "initdb failed"; }

  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$LOGFILE" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off" \
    start >/dev/null \
    || { cat "$LOGFILE" >&2 2>/dev/null || true; die "pg_ctl start failed"; }

  # (autovacuum off: a throwaway cluster needs none, and an autovacuum worker busy on a database a test just migrated
  # made that test's `DROP DATABASE … WITH (FORCE)` fail: terminating it needs pg_signal_backend, CI of 2026-12-06)
  # pg_ctl -w waited already; double-check over TCP the way clients will connect.
  if [ -n "$PG_ISREADY" ]; then
    for _ in $(seq 1 100); do
      "$PG_ISREADY" -q -h 127.0.0.1 -p "$PORT" -t 1 && break
      sleep 0.2
    done
    "$PG_ISREADY" -q -h 127.0.0.1 -p "$PORT" -t 5 || die "server not ready on 127.0.0.1:$PORT"
  fi

  admin_psql -c "CREATE ROLE $USER_NAME LOGIN CREATEDB PASSWORD '$USER_PASS'" >/dev/null
  # (the tests' role may end any session on the databases it drops: `DROP DATABASE … WITH (FORCE)`)
  admin_psql -c "GRANT pg_signal_backend TO $USER_NAME" >/dev/null
  local db
  for db in "${DATABASES_TO_CREATE[@]}"; do
    admin_psql -c "CREATE DATABASE $db OWNER $USER_NAME" >/dev/null
  done
  log "PostgreSQL $("$PGBIN/pg_ctl" --version | awk '{print $3}') ready on 127.0.0.1:$PORT (data $PGDATA_DIR, databases: ${DATABASES_TO_CREATE[*]})"
}

usage() { echo "usage: $0 start|stop|url|status" >&2; exit 2; }

cmd="${1:-}"
case "$cmd" in
  start|stop)
    exec 9>"$LOCK"
    flock -w 300 9 || die "timed out waiting for lock $LOCK"
    if [ "$cmd" = start ]; then start_cluster; else stop_cluster; log "stopped (port $PORT)"; fi
    ;;
  url)
    echo "postgres://$USER_NAME:$USER_PASS@127.0.0.1:$PORT/"
    ;;
  status)
    [ -n "$PG_ISREADY" ] || die "pg_isready not found"
    "$PG_ISREADY" -h 127.0.0.1 -p "$PORT" -t 2
    ;;
  *) usage ;;
esac
