// What a V8 heap snapshot (.heapsnapshot) holds: self size by node type and constructor, and the retained size of
// the largest objects reachable from the GC roots (a dominator tree, Cooper-Harvey-Kennedy's iterative algorithm).
// Usage: node bench/heap-top.mjs FILE [N]
import fs from 'fs';

const snap = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 30);
const meta = snap.snapshot.meta;
const nf = meta.node_fields, ef = meta.edge_fields;
const NF = nf.length, EF = ef.length;
const nTypes = meta.node_types[0], eTypes = meta.edge_types[0];
const iType = nf.indexOf('type'), iName = nf.indexOf('name'), iSelf = nf.indexOf('self_size'), iEdges = nf.indexOf('edge_count');
const eType = ef.indexOf('type'), eTo = ef.indexOf('to_node'), eName = ef.indexOf('name_or_index');
const nodes = snap.nodes, edges = snap.edges, strings = snap.strings;
const count = nodes.length / NF;
const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i++) { firstEdge[i] = e; e += nodes[i * NF + iEdges] * EF; firstEdge[i + 1] = e; }
const typeOf = i => nTypes[nodes[i * NF + iType]];
const nameOf = i => strings[nodes[i * NF + iName]];
const selfOf = i => nodes[i * NF + iSelf];
let total = 0;
const byCtor = new Map();
for (let i = 0; i < count; i++) {
  const t = typeOf(i);
  const k = t === 'object' || t === 'closure' ? `${t} ${nameOf(i)}` : t;
  const s = selfOf(i);
  total += s;
  const r = byCtor.get(k) ?? [0, 0];
  r[0] += s; r[1]++;
  byCtor.set(k, r);
}
const mb = x => (x / 2 ** 20).toFixed(1).padStart(7);
console.log(`total self size ${mb(total)} MB in ${count} nodes`);
console.log('SELF SIZE BY TYPE / CONSTRUCTOR');
for (const [k, [s, c]] of [...byCtor].sort((a, b) => b[1][0] - a[1][0]).slice(0, N)) console.log(`${mb(s)} MB ${String(c).padStart(8)}  ${k}`);

// dominators over strong edges (weak edges do not retain)
const weak = eTypes.indexOf('weak'), shortcut = eTypes.indexOf('shortcut');
const order = new Int32Array(count).fill(-1), post = [];
const stack = [0], it = new Uint32Array(count);
order[0] = 0;
const visited = new Uint8Array(count); visited[0] = 1;
for (let i = 0; i < count; i++) it[i] = firstEdge[i];
while (stack.length) {
  const n = stack[stack.length - 1];
  let pushed = false;
  while (it[n] < firstEdge[n + 1]) {
    const e = it[n]; it[n] += EF;
    const t = edges[e + eType];
    if (t === weak || t === shortcut) continue;
    const to = edges[e + eTo] / NF;
    if (!visited[to]) { visited[to] = 1; stack.push(to); pushed = true; break; }
  }
  if (!pushed) { stack.pop(); post.push(n); }
}
const po = new Int32Array(count).fill(-1);
post.forEach((n, i) => { po[n] = i; });
const preds = Array.from({ length: count }, () => null);
for (let n = 0; n < count; n++) {
  if (!visited[n]) continue;
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EF) {
    const t = edges[e + eType];
    if (t === weak || t === shortcut) continue;
    const to = edges[e + eTo] / NF;
    (preds[to] ??= []).push(n);
  }
}
const idom = new Int32Array(count).fill(-1);
idom[0] = 0;
const intersect = (a, b) => { while (a !== b) { while (po[a] < po[b]) a = idom[a]; while (po[b] < po[a]) b = idom[b]; } return a; };
for (let changed = true; changed;) {
  changed = false;
  for (let k = post.length - 1; k >= 0; k--) {
    const n = post[k];
    if (n === 0) continue;
    let d = -1;
    for (const p of preds[n] ?? []) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
    if (d !== -1 && idom[n] !== d) { idom[n] = d; changed = true; }
  }
}
const retained = new Float64Array(count);
for (const n of post) { retained[n] += selfOf(n); if (n !== 0 && idom[n] >= 0) retained[idom[n]] += retained[n]; }
// the largest objects below the roots' immediate structure: skip synthetic roots
const cands = [];
for (let n = 0; n < count; n++) if (visited[n] && typeOf(n) !== 'synthetic' && retained[n] > 2 ** 20) cands.push(n);
cands.sort((a, b) => retained[b] - retained[a]);
const edgeTo = (from, to) => {
  for (let e = firstEdge[from]; e < firstEdge[from + 1]; e += EF) if (edges[e + eTo] / NF === to) {
    const t = eTypes[edges[e + eType]];
    return t === 'element' || t === 'hidden' ? `[${edges[e + eName]}]` : strings[edges[e + eName]];
  }
  return '?';
};
console.log('\nLARGEST RETAINED (MB), with the path of dominators from the root');
for (const n of cands.slice(0, N)) {
  const chain = [];
  for (let c = n, k = 0; c !== 0 && k < 6; c = idom[c], k++) chain.push(`${edgeTo(idom[c], c)}`);
  console.log(`${mb(retained[n])} MB  ${typeOf(n)} ${String(nameOf(n)).slice(0, 60)}   via ${chain.reverse().join(' > ').slice(0, 160)}`);
}

// --find PROP: the objects that have a property PROP (e.g. a ProjectIndex: routing), with their retained size
const fi = process.argv.indexOf('--find');
if (fi > 0) {
  const prop = process.argv[fi + 1];
  const prop1 = eTypes.indexOf('property');
  let shown = 0;
  for (let n = 0; n < count && shown < 20; n++) {
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e += EF) {
      if (edges[e + eType] === prop1 && strings[edges[e + eName]] === prop) {
        const to = edges[e + eTo] / NF;
        console.log(`${typeOf(n)} ${nameOf(n)}: retained ${mb(retained[n])} MB; .${prop} retained ${mb(retained[to])} MB, self ${selfOf(to)}`);
        shown++;
        break;
      }
    }
  }
}
console.log(`root retains ${mb(retained[0])} MB`);
