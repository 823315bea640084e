// The functions a V8 CPU profile (.cpuprofile) spent most time in: self time, then total time (callees included).
// Usage: node bench/profile-top.mjs PROFILE [N] [--within REGEX]  (--within: only samples with a function whose name
// matches REGEX on their stack, e.g. `--within 'differenceFrom|mergeDjangoAnswer'`; --from S / --to S: only samples
// S seconds or more / less after the profile began, e.g. the typing part of a scan worker's whole-life profile)
import fs from 'fs';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map(n => [n.id, n]));
const self = new Map(); const total = new Map();
const dt = new Map(); for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
const parent = new Map(); for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = n => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`;
const wi = process.argv.indexOf('--within');
const within = wi > 0 ? new RegExp(process.argv[wi + 1]) : null;
const onStack = id => { for (let cur = id; cur; cur = parent.get(cur)) if (within.test(byId.get(cur).callFrame.functionName)) return true; return false; };
const arg = (n, d) => { const i = process.argv.indexOf(n); return i > 0 ? Number(process.argv[i + 1]) * 1e6 : d; };
const from = arg('--from', -Infinity), to = arg('--to', Infinity);
if (from > -Infinity || to < Infinity) {
  dt.clear();
  let t = 0;
  for (let i = 0; i < p.samples.length; i++) { t += p.timeDeltas[i] ?? 0; if (t >= from && t < to) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0)); }
}
for (const [id, t] of dt) {
  if (within && !onStack(id)) continue;
  const n = byId.get(id); self.set(name(n), (self.get(name(n)) ?? 0) + t);
  const seen = new Set(); let cur = id;
  while (cur) { const k = name(byId.get(cur)); if (!seen.has(k)) { seen.add(k); total.set(k, (total.get(k) ?? 0) + t); } cur = parent.get(cur); }
}
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`).join('\n');
console.log('SELF\n' + top(self, 25)); console.log('TOTAL\n' + top(total, Number(/^\d+$/.test(process.argv[3] ?? '') ? process.argv[3] : 50)));
