// The longest stretches without an idle sample in a V8 CPU profile (a blocked event loop), with what ran in them.
// Usage: node bench/profile-pauses.mjs PROFILE [N]
import fs from 'fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const N = Number(process.argv[3] ?? 5);
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
for (const r of runs.slice(0, N)) {
  const total = new Map();
  for (const [id, dt] of r.samples) {
    const seen = new Set();
    for (let c = id; c; c = parent.get(c)) { const k = name(byId.get(c)); if (!seen.has(k)) { seen.add(k); total.set(k, (total.get(k) ?? 0) + dt); } }
  }
  console.log(`\n== ${((r.end - r.start) / 1000).toFixed(0)} ms busy`);
  for (const [k, v] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 18)) console.log(`${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}
