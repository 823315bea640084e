// The functions a V8 CPU profile (.cpuprofile) spent most time in: self time, then total time (callees included).
// Usage: node bench/profile-top.mjs PROFILE [N]
import fs from 'fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map(n => [n.id, n]));
const self = new Map(); const total = new Map();
const dt = new Map(); for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = n => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
for (const [id, t] of dt) {
  const n = byId.get(id); self.set(name(n), (self.get(name(n)) ?? 0) + t);
  const seen = new Set(); let cur = id;
  while (cur) { const k = name(byId.get(cur)); if (!seen.has(k)) { seen.add(k); total.set(k, (total.get(k) ?? 0) + t); } cur = parent.get(cur); }
}
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`).join('\n');
console.log('SELF\n' + top(self, 25)); console.log('TOTAL\n' + top(total, Number(process.argv[3] ?? 50)));
