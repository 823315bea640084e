import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initPython, parsePython, ParseBudget, MAX_PARSE_CHARS } from '../../src/core/python/parse';
import type * as A from '../../src/core/python/ast';

before(async () => { await initPython(); });

const body = (src: string) => parsePython(src, 't.py').body;

test('assignments, chained targets, annotations, augmented', () => {
  const [a, b, c] = body('a = b = 1\nx: int = 2\ny += 3\n');
  assert.equal(a!.type, 'Assign');
  assert.deepEqual((a as A.Assign).targets.map(t => (t as A.Name).id), ['a', 'b']);
  assert.equal(b!.type, 'AnnAssign');
  assert.equal(c!.type, 'AugAssign');
  assert.equal((c as A.AugAssign).op, '+');
});

test('current syntax: type parameters, type aliases, match, PEP 701 f-strings', () => {
  const src = [
    'type Point[T] = tuple[T, T]',
    'def first[T](xs: list[T]) -> T:',
    '    match xs:',
    '        case [x, *_]: return x',
    '        case _: return None',
    'songs = ["a", "b"]',
    'msg = f"{", ".join(songs)!r:>{10}} and {songs[0]}"',
    'class R[T]:',
    '    label = "x"',
  ].join('\n');
  const m = parsePython(src, 't.py');
  assert.deepEqual(m.problems, []);
  const types = m.body.map(s => s.type);
  assert.deepEqual(types, ['OtherStmt', 'FunctionDef', 'Assign', 'Assign', 'ClassDef']);
  const fn = m.body[1] as A.FunctionDef;
  assert.equal(fn.body[0]!.type, 'Match');
  const msg = (m.body[3] as A.Assign).value;
  assert.equal(msg.type, 'JoinedStr');
});

test('strings: concatenation, escapes, raw, bytes', () => {
  const [a, b, c] = body('a = "x" \'y\' "\\n\\x41"\nb = r"\\d+"\nc = b"raw"\n');
  assert.deepEqual((a as A.Assign).value, { ...(a as A.Assign).value, type: 'Constant', value: 'xy\nA' });
  assert.equal(((b as A.Assign).value as A.Constant).value, '\\d+');
  assert.deepEqual(((c as A.Assign).value as A.Constant).value, { bytes: 'raw' });
});

test('imports: relative, aliased, star, future', () => {
  const [a, b, c, d] = body('from ..x.y import (a as b, c)\nfrom . import *\nimport os.path as p, sys\nfrom __future__ import annotations\n');
  assert.deepEqual({ ...(a as A.ImportFrom), line: 0, col: 0, endLine: 0, endCol: 0 }, { type: 'ImportFrom', line: 0, col: 0, endLine: 0, endCol: 0, module: 'x.y', level: 2, names: [{ name: 'a', asname: 'b' }, { name: 'c', asname: null }] });
  assert.equal((b as A.ImportFrom).names[0]!.name, '*');
  assert.equal((b as A.ImportFrom).level, 1);
  assert.deepEqual((c as A.Import).names, [{ name: 'os.path', asname: 'p' }, { name: 'sys', asname: null }]);
  assert.equal((d as A.ImportFrom).module, '__future__');
});

test('comparison chains keep "not in" and "is not" as one operator; boolean ops flatten', () => {
  const [s] = body('r = a not in b and c is not d and e < f <= g\n');
  const v = (s as A.Assign).value as A.BoolOp;
  assert.equal(v.op, 'and');
  assert.equal(v.values.length, 3);
  assert.deepEqual((v.values[0] as A.Compare).ops, ['not in']);
  assert.deepEqual((v.values[1] as A.Compare).ops, ['is not']);
  assert.deepEqual((v.values[2] as A.Compare).ops, ['<', '<=']);
});

test('if/elif/else nests like CPython; functions keep parameter kinds', () => {
  const [i, f] = body('if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\ndef g(a, /, b=1, *args, c, d=2, **kw): pass\n');
  const iff = i as A.If;
  assert.equal(iff.orelse[0]!.type, 'If');
  assert.equal((iff.orelse[0] as A.If).orelse[0]!.type, 'Assign');
  const args = (f as A.FunctionDef).args;
  assert.deepEqual(args.posonly.map(a => a.name), ['a']);
  assert.deepEqual(args.args.map(a => a.name), ['b']);
  assert.equal(args.vararg?.name, 'args');
  assert.deepEqual(args.kwonly.map(a => a.name), ['c', 'd']);
  assert.equal(args.kwarg?.name, 'kw');
});

test('decorated classes, keywords in bases, Meta inner class, lines', () => {
  const [c] = body('\n@dec(1)\nclass M(models.Model, metaclass=X):\n    name = models.CharField(max_length=10)\n    class Meta:\n        managed = False\n');
  const cls = c as A.ClassDef;
  assert.equal(cls.name, 'M');
  assert.equal(cls.line, 3);
  assert.equal(cls.decorators.length, 1);
  assert.equal(cls.keywords[0]!.arg, 'metaclass');
  assert.equal(cls.body[1]!.type, 'ClassDef');
  assert.equal(cls.body[0]!.line, 4);
});

test('a syntax error does not hide the statements after it', () => {
  const m = parsePython('A = 1\ndef broken(:\n    pass\nB = 2\nclass C:\n    x = 3\n', 't.py');
  assert.ok(m.problems.length >= 1);
  assert.equal(m.problems[0]!.line, 2);
  const names = m.body.flatMap(s => (s.type === 'Assign' ? s.targets.map(t => (t as A.Name).id) : s.type === 'ClassDef' ? [s.name] : []));
  assert.ok(names.includes('A'), JSON.stringify(names));
  assert.ok(names.includes('B'), JSON.stringify(names));
  assert.ok(names.includes('C'), JSON.stringify(names));
});

test('a Python 2 def (async as a parameter name) is one syntax error, not one more for its decorator', () => {
  const m = parsePython('import os\n\n\nclass A:\n    @staticmethod\n    def js(bundle, async=False):\n        return bundle\n\n\nX = 1\n', 't.py');
  assert.deepEqual(m.problems.map(p => p.line), [6], JSON.stringify(m.problems));
  assert.deepEqual(m.body.map(s => s.type), ['Import', 'ClassDef', 'Assign']);
});

test('half-typed code in a class body keeps the class and its other fields', () => {
  const m = parsePython('class M(models.Model):\n    a = models.CharField(max_length=3)\n    b = models.ForeignKey(\n    c = models.IntegerField()\n\nclass N(models.Model):\n    pass\n', 't.py');
  const classes = m.body.filter(s => s.type === 'ClassDef').map(s => (s as A.ClassDef).name);
  assert.deepEqual(classes, ['M', 'N']);
  assert.ok(m.problems.length >= 1);
});

test('an unclosed call inside a class body loses only that line, not the class', () => {
  const m = parsePython('class A(models.Model):\n    name = models.CharField(max_length=100,\n    y = 2\n    class Meta:\n        managed = False\n', 't.py');
  assert.equal(m.body.length, 1);
  const cls = m.body[0] as A.ClassDef;
  assert.equal(cls.name, 'A');
  assert.deepEqual(cls.body.map(s => s.type), ['Assign', 'ClassDef']);
  assert.deepEqual(m.problems.map(p => p.line), [2]);
});

// ---- bounded repair --------------------------------------------------------------------------------------------

const assigned = (m: A.Module) => m.body.flatMap(s => (s.type === 'Assign' ? s.targets.map(t => (t as A.Name).id) : s.type === 'ClassDef' ? [s.name] : []));

test('repairs stop after 12 lines; what the parses recovered is kept', () => {
  // 20 half-typed functions between good statements: more broken lines than repairs
  const src = Array.from({ length: 20 }, (_, i) => `V${i} = ${i}\ndef f${i}(:\n    pass\n`).join('') + 'LAST = 1\n';
  const m = parsePython(src, 't.py');
  assert.ok(m.problems.length <= 13, `${m.problems.length} problems`);
  assert.equal(m.limit, undefined, 'a count limit, not a budget: nothing to report beyond the syntax errors');
  const names = assigned(m);
  for (let i = 0; i < 20; i++) assert.ok(names.includes(`V${i}`), `V${i} lost: ${names}`);
  assert.ok(names.includes('LAST'));
});

test('a repair that runs out of time keeps the last complete parse and says so', () => {
  // 13 broken lines, then a long list: every repair is a whole parse, and 14 of them do not fit in 150 ms
  const broken = Array.from({ length: 13 }, (_, i) => `def f${i}(:\n    pass\n`).join('');
  const filler = 'X = [' + Array.from({ length: 40_000 }, (_, i) => `${i}`).join(', ') + ']\n';
  const m = parsePython(`V0 = 0\n${broken}${filler}`, 't.py', { budget: new ParseBudget(10_000, 150) });
  assert.equal(m.limit?.kind, 'time');
  // out of time in the repairs (the last complete parse is read) or in the first parse (its beginning is read)
  assert.match(m.limit!.message, /^(repairing syntax errors|parsing) took longer than its 150 ms budget/);
  assert.ok(assigned(m).includes('V0'), JSON.stringify(assigned(m)));
});

test('garbage is not repaired line by line (errors on hundreds of lines)', () => {
  let seed = 5;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = Array.from({ length: 400 }, () => Array.from({ length: 30 }, () => String.fromCharCode(33 + Math.floor(r() * 94))).join(''));
  const m = parsePython(lines.join('\n') + '\nLAST = 1\n', 'g.py');
  assert.equal(m.problems.length, 1, 'one syntax error reported, no repairs tried');
});

test('nul bytes: refused as CPython refuses them', () => {
  const m = parsePython('A = 1\nB = "\0"\n', 't.py');
  assert.deepEqual(m.body, []);
  assert.deepEqual(m.problems.map(p => [p.line, p.message]), [[2, 'source code cannot contain null bytes (not a Python file?)']]);
});

test('a file over the size limit: its beginning is read, the cut statement is not taken as complete', () => {
  const rows = Array.from({ length: 80_000 }, (_, i) => `    ("k${i}", ${i}),`).join('\n');
  const src = `import os\nNAME = "x"\nclass Config:\n    debug = True\n    items = [\n${rows}\n    ]\n    after = 1\nTAIL = 2\n`;
  assert.ok(src.length > MAX_PARSE_CHARS);
  const m = parsePython(src, 'big.py');
  assert.equal(m.limit?.kind, 'size');
  assert.deepEqual(m.problems, []);
  assert.deepEqual(m.body.map(s => s.type), ['Import', 'Assign', 'ClassDef']);
  const cls = m.body[2] as A.ClassDef;
  assert.deepEqual(cls.body.map(s => s.type), ['Assign', 'Assign']);
  const items = (cls.body[1] as A.Assign).value;
  assert.deepEqual([items.type, items.type === 'OtherExpr' && items.kind], ['OtherExpr', 'not-read']);
});
