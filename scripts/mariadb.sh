#!/usr/bin/env bash
# A throwaway MariaDB server for the MySQL/MariaDB tests, like scripts/pg.sh for PostgreSQL.
#
#   bash scripts/mariadb.sh start    # (re)create a fresh data dir, start, wait until ready, create dmdb_main + dmdb_wh
#   bash scripts/mariadb.sh url      # mysql://dmdb:dmdb-secret@127.0.0.1:PORT/
#   bash scripts/mariadb.sh status   # exit 0 when the server answers
#   bash scripts/mariadb.sh stop     # stop it and delete its data dir (fine when nothing runs)
#
# Listens on 127.0.0.1:${DJANGO_MULTIDB_MARIADB_PORT:-53306} only; data dir /tmp/django-multidb-mariadb-$PORT.
# TCP connections need a password: user dmdb / dmdb-secret (a wrong password is rejected). `start` always begins
# from a clean data dir. When mariadbd is missing it installs Debian's mariadb-server with apt (without starting
# the system's own service). When run as root, the server runs as the `mysql` OS user. With openssl, the server
# also speaks TLS (self-signed certificate in $DATA/tls/server.crt) and user dmdb_tls may connect only over TLS.
set -euo pipefail

PORT="${DJANGO_MULTIDB_MARIADB_PORT:-53306}"
DATA="/tmp/django-multidb-mariadb-$PORT"
DATADIR="$DATA/data"
SOCK="$DATA/mysqld.sock"
PIDFILE="$DATA/mysqld.pid"
LOGFILE="$DATA/server.log"
LOCK="/tmp/django-multidb-mariadb-$PORT.lock"
USER_NAME="dmdb"
USER_PASS="dmdb-secret"
DATABASES_TO_CREATE=(dmdb_main dmdb_wh)

log() { echo "mariadb.sh: $*" >&2; }
die() { log "$*"; exit 1; }

find_bin() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
      [ -x "$d/$name" ] && { echo "$d/$name"; return 0; }
    done
  done
  return 1
}

install_server() {
  # the shared installer (flock, update only when needed, a policy-rc.d so the system's own server on 3306 is not
  # started by the package)
  log "installing mariadb-server with apt"
  bash "$(dirname "$0")/apt-install.sh" mariadb-server >&2 || die "could not install mariadb-server with apt"
}

SERVER="$(find_bin mariadbd mysqld || true)"
if [ -z "$SERVER" ] && [ "${1:-}" = start ]; then
  export DEBIAN_FRONTEND=noninteractive
  install_server
  SERVER="$(find_bin mariadbd mysqld || true)"
fi
INSTALL_DB="$(find_bin mariadb-install-db mysql_install_db || true)"
CLIENT="$(find_bin mariadb mysql || true)"
ADMIN="$(find_bin mariadb-admin mysqladmin || true)"

if [ "$(id -u)" = 0 ]; then
  RUN_USER=mysql
  ensure_os_user() {
    id -u mysql >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mysql
  }
else
  RUN_USER="$(id -un)"
  ensure_os_user() { :; }
fi

admin_sql() {
  "$CLIENT" --no-defaults --protocol=socket -S "$SOCK" -u root "$@"
}

server_pid() {
  [ -f "$PIDFILE" ] && head -n1 "$PIDFILE" 2>/dev/null || true
}

stop_server() {
  local pid
  pid="$(server_pid)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}

port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

start_server() {
  [ -n "$SERVER" ] || die "mariadbd not found"
  [ -n "$INSTALL_DB" ] || die "mariadb-install-db not found"
  [ -n "$CLIENT" ] || die "the mariadb client not found"
  ensure_os_user
  stop_server
  port_busy && die "something already answers on 127.0.0.1:$PORT (not our data dir $DATA); set DJANGO_MULTIDB_MARIADB_PORT"
  mkdir -p "$DATADIR"
  [ "$RUN_USER" = mysql ] && chown -R mysql: "$DATA"
  chmod 750 "$DATA"
  # root authenticates over the socket only (unix_socket / no password); TCP users need a password
  "$INSTALL_DB" --no-defaults --user="$RUN_USER" --datadir="$DATADIR" --auth-root-authentication-method=socket \
    --skip-test-db >"$DATA/install.log" 2>&1 || { cat "$DATA/install.log" >&2; die "mariadb-install-db failed"; }
  # TLS with a self-signed certificate (127.0.0.1 and localhost), so the tests can ask for ssl_mode REQUIRED/VERIFY_CA
  local tls=()
  if command -v openssl >/dev/null 2>&1; then
    mkdir -p "$DATA/tls"
    if openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=localhost -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$DATA/tls/server.key" -out "$DATA/tls/server.crt" >/dev/null 2>&1; then
      [ "$RUN_USER" = mysql ] && chown -R mysql: "$DATA/tls"
      tls=(--ssl-cert="$DATA/tls/server.crt" --ssl-key="$DATA/tls/server.key" --ssl-ca="$DATA/tls/server.crt")
    fi
  fi
  (cd /tmp && exec 9>&- && "$SERVER" --no-defaults "${tls[@]}" --user="$RUN_USER" --datadir="$DATADIR" --socket="$SOCK" \
    --pid-file="$PIDFILE" --port="$PORT" --bind-address=127.0.0.1 --skip-name-resolve --log-error="$LOGFILE" \
    --innodb-buffer-pool-size=32M --innodb-log-file-size=8M --skip-log-bin --character-set-server=utf8mb4 \
    >/dev/null 2>&1 &)
  for _ in $(seq 1 150); do
    if admin_sql -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  admin_sql -e 'SELECT 1' >/dev/null 2>&1 || { cat "$LOGFILE" >&2 2>/dev/null || true; die "server did not start on 127.0.0.1:$PORT"; }
  local sql="CREATE USER '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$USER_PASS'; CREATE USER '$USER_NAME'@'localhost' IDENTIFIED BY '$USER_PASS';"
  # a user that may connect only over TLS: proves a client really encrypted
  [ ${#tls[@]} -gt 0 ] && sql+=" CREATE USER '${USER_NAME}_tls'@'127.0.0.1' IDENTIFIED BY '$USER_PASS' REQUIRE SSL; GRANT SELECT ON *.* TO '${USER_NAME}_tls'@'127.0.0.1';"
  local db
  for db in "${DATABASES_TO_CREATE[@]}"; do
    sql+=" CREATE DATABASE $db CHARACTER SET utf8mb4;"
  done
  # test databases (Django's test runner) and the tests' own databases need CREATE/DROP on any name
  sql+=" GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'localhost'; FLUSH PRIVILEGES;"
  admin_sql -e "$sql"
  log "MariaDB $("$SERVER" --version | awk '{print $3}') ready on 127.0.0.1:$PORT (data $DATADIR, databases: ${DATABASES_TO_CREATE[*]})"
}

usage() { echo "usage: $0 start|stop|url|status" >&2; exit 2; }

cmd="${1:-}"
case "$cmd" in
  start|stop)
    exec 9>"$LOCK"
    flock -w 300 9 || die "timed out waiting for lock $LOCK"
    if [ "$cmd" = start ]; then start_server; else stop_server; log "stopped (port $PORT)"; fi
    ;;
  url)
    echo "mysql://$USER_NAME:$USER_PASS@127.0.0.1:$PORT/"
    ;;
  status)
    [ -n "$CLIENT" ] || die "the mariadb client not found"
    "$CLIENT" --no-defaults -h 127.0.0.1 -P "$PORT" -u "$USER_NAME" -p"$USER_PASS" -e 'SELECT 1' >/dev/null
    ;;
  *) usage ;;
esac
