#!/usr/bin/env bash
# UI end-to-end test against the installed .vsix (see ui.test.js).
#   bash test/e2e/run.sh [path/to.vsix] [ui.test.js options...]
# Without a path it uses dist-vsix/<name>-linux-x64-<version>.vsix, packaging it first when missing.
set -euo pipefail
ROOT="${DJANGO_MULTIDB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
cd "$ROOT"
eval "$(bash scripts/vscode-env.sh)"
export DJANGO_MULTIDB_CACHE CODE_SERVER CS_NODE CS_HOME CHROMIUM
NODE="$ROOT/node_modules/.bin/node"; [ -x "$NODE" ] || NODE=node
if [ "${1:-}" != "" ] && [[ "$1" == *.vsix ]]; then VSIX=$1; shift
else
  VSIX="dist-vsix/$("$NODE" -p 'const p=require("./package.json"); `${p.name}-linux-x64-${p.version}`').vsix"
  [ -f "$VSIX" ] || bash scripts/package.sh linux-x64
fi
exec "$NODE" test/e2e/ui.test.js "$VSIX" "$@"
