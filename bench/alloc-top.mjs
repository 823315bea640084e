// What a sampling heap profile (.heapprofile, garbage included) says was allocated: bytes by function, itself and
// with what it called. Usage: node bench/alloc-top.mjs FILE [N]
import fs from 'fs';
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const N = Number(process.argv[3] ?? 30);
const self = new Map(), total = new Map();
const name = f => `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
const walk = (node, stack) => {
  const k = name(node.callFrame);
  self.set(k, (self.get(k) ?? 0) + node.selfSize);
  const seen = new Set(stack);
  const here = [...stack, k];
  let sub = node.selfSize;
  for (const c of node.children ?? []) sub += walk(c, here);
  if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + sub);
  return sub;
};
const all = walk(p.head, []);
const mb = x => (x / 2 ** 20).toFixed(1).padStart(7);
console.log(`allocated (sampled) ${mb(all)} MB`);
const top = m => [...m].sort((a, b) => b[1] - a[1]).slice(0, N).map(([k, v]) => `${mb(v)} MB  ${k}`).join('\n');
console.log('SELF\n' + top(self));
console.log('TOTAL\n' + top(total));
