// esbuild: one context per target. `vscode` and the native better-sqlite3 stay external (the .vsix ships
// node_modules/better-sqlite3 with only its platform's prebuild); the tree-sitter wasm files are copied next to
// the bundles, where src/core/python/parse.ts looks first.
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';
import { createHash } from 'crypto';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

// the rules' build (src/core/build-id.ts): on-disk caches of another build are not read
const buildId = (() => {
  const h = createHash('sha1');
  const walk = d => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|py)$/.test(e.name)) { h.update(p); h.update(fs.readFileSync(p)); }
    }
  };
  for (const d of ['src/core', 'python']) if (fs.existsSync(d)) walk(d);
  return h.digest('hex').slice(0, 12);
})();
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', define: { __DMDB_BUILD__: JSON.stringify(buildId) } };
const nodeExternal = ['vscode', 'better-sqlite3', 'pg-native'];
// web-tree-sitter's ESM build reads import.meta.url, which a CommonJS bundle does not have: use its CJS build.
const alias = { 'web-tree-sitter': require.resolve('web-tree-sitter') };

// `import * as fs from 'fs'` in a CommonJS bundle copies the module's properties (esbuild's __toESM) in every
// source file that imports it: about 60 copies of fs and path, 25 ms of every start. Our own imports of Node's
// modules go through one re-exporting module each instead, so each is copied once.
const nodeBuiltins = {
  name: 'node-builtins-once',
  setup(build) {
    const re = /^(node:)?(fs|path|os|crypto|child_process|util|v8|worker_threads|module)$/;
    build.onResolve({ filter: re }, args => {
      if (args.namespace === 'node-builtin' || !args.importer.startsWith(root + path.sep) || args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      return { path: args.path.replace(/^node:/, ''), namespace: 'node-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'node-builtin' }, args => ({ contents: `export * from 'node:${args.path}';`, loader: 'js' }));
    build.onResolve({ filter: /^node:/, namespace: 'node-builtin' }, args => ({ path: args.path, external: true }));
  },
};
common.plugins = [nodeBuiltins];

const contexts = [
  // extension host (Electron's or code-server's Node)
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, alias },
  // the Scanner's worker thread inside the extension host (src/extension/scannerClient.ts starts it)
  { ...common, entryPoints: ['src/extension/scanWorker.ts'], outfile: 'dist/scanWorker.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, alias },
  // the second thread that reads files during a first index (src/core/prefetch.ts)
  { ...common, entryPoints: ['src/core/prefetch-worker.ts'], outfile: 'dist/parse-worker.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, alias },
  // the PostgreSQL and MySQL drivers, loaded when such a database is read (src/core/db/drivers.ts)
  { ...common, entryPoints: ['src/core/db/drivers-bundle.ts'], outfile: 'dist/drivers.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, alias },
  // dockerfile-ast, loaded when a project has a Dockerfile (src/core/settings/dockerfile.ts)
  { ...common, entryPoints: ['src/core/settings/dockerfile-bundle.ts'], outfile: 'dist/dockerfile.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, alias },
  // command line tool
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20', external: nodeExternal, alias },
];
if (fs.existsSync('webview/main.ts')) {
  contexts.push({ ...common, entryPoints: ['webview/main.ts'], outfile: 'dist/webview/main.js', platform: 'browser', format: 'esm', target: 'es2022', loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' } });
}
// integration tests run inside the extension host; mocha is loaded by the runner, not bundled
const intDir = 'test/integration/suite';
if (fs.existsSync(intDir)) {
  const entries = fs.readdirSync(intDir).filter(f => f.endsWith('.ts')).map(f => path.join(intDir, f));
  contexts.push({ ...common, sourcemap: true, minify: false, entryPoints: entries, outdir: 'dist-test/integration', platform: 'node', format: 'cjs', target: 'node20', external: [...nodeExternal, 'mocha'], alias });
}

function copyAssets() {
  fs.mkdirSync('dist/webview', { recursive: true });
  fs.copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), 'dist/tree-sitter.wasm');
  fs.copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), 'dist/tree-sitter-python.wasm');
  const codicons = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, f), path.join('dist/webview', f));
  if (fs.existsSync('python')) fs.cpSync('python', 'dist/python', { recursive: true });
}

copyAssets();
if (watch) {
  for (const c of contexts) await (await esbuild.context(c)).watch();
  console.log('watching…');
} else {
  const t0 = Date.now();
  await Promise.all(contexts.map(c => esbuild.build(c)));
  console.log(`built ${contexts.length} bundles in ${Date.now() - t0} ms`);
}
