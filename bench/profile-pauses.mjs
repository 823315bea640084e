// The longest stretches without an idle sample in a V8 CPU profile (a blocked event loop), with what ran in them.
// Usage: node bench/profile-pauses.mjs PROFILE [N] [--ours]
// --ours: per busy stretch, the time in this extension's code (a frame of dist/extension.js) and in reading the
// scan worker's messages (Node's child_process/serialization: no other IPC channel of the extension host uses it):
// the pauses this extension causes, apart from VS Code's own work in the same thread.
import fs from 'fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const N = Number(/^\d+$/.test(process.argv[3] ?? '') ? process.argv[3] : 5);
// (this extension's bundle, not VS Code's own extensions: theirs are `extensions/<name>/dist/extension.js` too)
const OURS = /^(?!.*\/vscode\/extensions\/).*dist\/extension\.js$|child_process\/serialization/;
const byId = new Map(p.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = n => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`;
const runs = [];
let cur = null;
let t = p.startTime;
for (let i = 0; i < p.samples.length; i++) {
  t += p.timeDeltas[i] ?? 0;
  const n = byId.get(p.samples[i]);
  const idle = n.callFrame.functionName === '(idle)';
  if (idle) { if (cur) { runs.push(cur); cur = null; } continue; }
  if (!cur) cur = { start: t, end: t, samples: [] };
  cur.end = t;
  cur.samples.push([p.samples[i], p.timeDeltas[i + 1] ?? 0]);
}
if (cur) runs.push(cur);
runs.sort((a, b) => (b.end - b.start) - (a.end - a.start));
/** The functions that ran in a busy stretch, with their time (their callees included), the longest `n`. */
function printTotals(r, n) {
  const total = new Map();
  for (const [id, dt] of r.samples) {
    const seen = new Set();
    for (let c = id; c; c = parent.get(c)) { const k = name(byId.get(c)); if (!seen.has(k)) { seen.add(k); total.set(k, (total.get(k) ?? 0) + dt); } }
  }
  for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}
for (const r of runs.slice(0, N)) {
  console.log(`\n== ${((r.end - r.start) / 1000).toFixed(0)} ms busy`);
  printTotals(r, 18);
}

if (process.argv.includes('--ours')) {
  const ours = r => {
    let ms = 0;
    for (const [id, dt] of r.samples) {
      for (let c = id; c; c = parent.get(c)) if (OURS.test(byId.get(c).callFrame.url)) { ms += dt; break; }
    }
    return ms / 1000;
  };
  const mine = runs.map(r => ({ r, ms: ours(r) })).sort((a, b) => b.ms - a.ms);
  console.log(`\n== this extension's time per busy stretch (the longest ${N})`);
  const length = r => r.samples.reduce((a, [, dt]) => a + dt, 0) / 1000;
  for (const { r, ms } of mine.slice(0, N)) console.log(`${ms.toFixed(0).padStart(6)} ms of a ${length(r).toFixed(0)} ms stretch`);
  // what ran in the longest
  // what ran in the longest (--ours-detail K: in the longest K)
  const k = process.argv.includes('--ours-detail') ? Number(process.argv[process.argv.indexOf('--ours-detail') + 1]) : 1;
  for (const { r, ms } of mine.slice(0, k)) {
    console.log(`in the stretch where it ran ${ms.toFixed(0)} ms:`);
    printTotals(r, 16);
  }
}
