#!/usr/bin/env bash
# Builds the extension for production and packages one .vsix per platform into dist-vsix/, each holding only its
# own better-sqlite3 N-API prebuild, then checks every package's file list.
#
#   bash scripts/package.sh                      # all targets
#   bash scripts/package.sh linux-x64 win32-x64  # some targets
#   bash scripts/package.sh --ls linux-x64       # only print what would be packaged (`vsce ls`), no build
#   PACKAGE_NO_BUILD=1 bash scripts/package.sh   # reuse dist/ as it is (it must be a production build)
#
# Output: dist-vsix/django-multidb-<target>-<version>.vsix
# .vscodeignore is the allow-list; for each target a copy of it with the prebuilds line narrowed to one binary is
# written to dist-vsix/.vscodeignore.<target>.
set -euo pipefail
ROOT="${DJANGO_MULTIDB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$ROOT"
OUT="$ROOT/dist-vsix"
NODE="$ROOT/node_modules/.bin/node"; [ -x "$NODE" ] || NODE=node

# vsce target -> better-sqlite3 prebuild name (lib/binding.js picks `${linuxmusl|platform}-${arch}.node`)
declare -A PREBUILD=(
  [linux-x64]=linux-x64 [linux-arm64]=linux-arm64 [alpine-x64]=linuxmusl-x64 [alpine-arm64]=linuxmusl-arm64
  [darwin-x64]=darwin-x64 [darwin-arm64]=darwin-arm64 [win32-x64]=win32-x64 [win32-arm64]=win32-arm64
)
ALL_TARGETS=(linux-x64 linux-arm64 alpine-x64 alpine-arm64 darwin-x64 darwin-arm64 win32-x64 win32-arm64)

LS_ONLY=0
if [ "${1:-}" = --ls ]; then LS_ONLY=1; shift; fi
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  [ -n "${PREBUILD[$t]:-}" ] || { echo "package.sh: unknown target $t (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
  [ -f "node_modules/better-sqlite3/prebuilds/${PREBUILD[$t]}.node" ] || {
    echo "package.sh: node_modules/better-sqlite3/prebuilds/${PREBUILD[$t]}.node missing (better-sqlite3 13 ships it)" >&2; exit 1; }
done
grep -qx '!node_modules/better-sqlite3/prebuilds/\*\*' .vscodeignore || {
  echo "package.sh: .vscodeignore must contain the line '!node_modules/better-sqlite3/prebuilds/**'" >&2; exit 1; }

mkdir -p "$OUT"
for t in "${TARGETS[@]}"; do
  sed "s#^!node_modules/better-sqlite3/prebuilds/\*\*\$#!node_modules/better-sqlite3/prebuilds/${PREBUILD[$t]}.node#" \
    .vscodeignore > "$OUT/.vscodeignore.$t"
done

if [ "$LS_ONLY" = 1 ]; then
  for t in "${TARGETS[@]}"; do
    echo "== vsce ls --target $t"
    "$NODE" node_modules/@vscode/vsce/vsce ls --ignoreFile "$OUT/.vscodeignore.$t"
  done
  exit 0
fi

t0=$(date +%s.%N)
if [ "${PACKAGE_NO_BUILD:-0}" != 1 ]; then
  # a clean dist/: a dev build's source maps or files of removed entry points must not slip through `!dist/**`
  rm -rf dist
  npm run --silent build -- --production
fi
[ -f dist/extension.js ] || { echo "package.sh: dist/extension.js missing after the build" >&2; exit 1; }
t1=$(date +%s.%N)

SKIP_LICENSE=0
if [ ! -f LICENSE ] && [ ! -f LICENSE.md ] && [ ! -f LICENSE.txt ]; then
  echo "package.sh: WARNING: no LICENSE file; packaging with skipLicense (add one before publishing)" >&2
  SKIP_LICENSE=1
fi

# vsce's `pack` directly: `vsce package` would run the vscode:prepublish build again for every target.
OUT="$OUT" SKIP_LICENSE=$SKIP_LICENSE "$NODE" - "${TARGETS[@]}" <<'JS'
const path = require('path');
const { pack } = require(path.resolve('node_modules/@vscode/vsce/out/package.js'));
(async () => {
  for (const target of process.argv.slice(2)) {
    const { packagePath, files } = await pack({
      cwd: process.cwd(), target, ignoreFile: path.join(process.env.OUT, `.vscodeignore.${target}`),
      packagePath: process.env.OUT, skipLicense: process.env.SKIP_LICENSE === '1', dependencies: true,
      // the README's screenshots ship in the .vsix (see .vscodeignore): VS Code shows them from the installed
      // extension, so relative links stay relative (there is no public repository to point them at)
      rewriteRelativeLinks: false,
    });
    console.log(`packaged ${path.relative(process.cwd(), packagePath)} (${files.length} files)`);
  }
})().catch(e => { console.error('package.sh:', e.message || e); process.exit(1); });
JS
t2=$(date +%s.%N)

# Check each package's contents: the extension entry point, exactly its own native binary, nothing from the sources.
VERSION=$("$NODE" -p 'require("./package.json").version'); NAME=$("$NODE" -p 'require("./package.json").name')
fail=0
for t in "${TARGETS[@]}"; do
  vsix="$OUT/$NAME-$t-$VERSION.vsix"
  list=$(unzip -Z1 "$vsix")
  bad=$(grep -P '^extension/(src|test|scripts|webview|examples|bench|python|dist-test)/|\.map$|\.ts$|__pycache__|\.pyc$|^extension/dist/cli\.js$|^extension/node_modules/(?!better-sqlite3/)' <<<"$list" || true)
  bad+=$(grep -E '^extension/node_modules/better-sqlite3/(deps|src)/' <<<"$list" || true)
  natives=$(grep -E '\.node$' <<<"$list" || true)
  problems=()
  for f in dist/extension.js dist/scanWorker.js dist/parse-worker.js dist/drivers.js dist/dockerfile.js dist/tree-sitter.wasm dist/tree-sitter-python.wasm dist/webview/main.js dist/webview/main.css \
    dist/webview/codicon.css dist/webview/codicon.ttf; do
    grep -qx "extension/$f" <<<"$list" || problems+=("no $f")
  done
  if [ -d python ]; then
    for f in python/*.py; do grep -qx "extension/dist/$f" <<<"$list" || problems+=("no dist/$f"); done
  fi
  grep -qx 'extension/package.json' <<<"$list" || problems+=("no package.json")
  grep -qx 'extension/node_modules/better-sqlite3/lib/index.js' <<<"$list" || problems+=("no better-sqlite3/lib")
  [ "$natives" = "extension/node_modules/better-sqlite3/prebuilds/${PREBUILD[$t]}.node" ] ||
    problems+=("native binaries: ${natives//$'\n'/, } (want only prebuilds/${PREBUILD[$t]}.node)")
  [ -z "$bad" ] || problems+=("unexpected files: ${bad//$'\n'/, }")
  size=$(du -k "$vsix" | cut -f1)
  if [ ${#problems[@]} -eq 0 ]; then
    printf 'ok   %-14s %5d KB %4d files\n' "$t" "$size" "$(grep -c '^extension/' <<<"$list")"
  else
    printf 'FAIL %-14s %s\n' "$t" "${problems[*]}"; fail=1
  fi
done
printf 'package.sh: build %.1f s, %d package(s) %.1f s\n' "$(echo "$t1 - $t0" | bc)" "${#TARGETS[@]}" "$(echo "$t2 - $t1" | bc)"
exit $fail
