// A fuzzer for the models memo's patches (core/models patchModels, issue 11): edits of models modules as the ones
// a patch takes (a field's target or option, a class or a function added after the last statement, the last block
// dropped) mixed with those it must leave to a whole run (an import, a Meta option, a class renamed or inserted, a
// function or a class under a name the project already uses: a base elsewhere, a case-insensitive lookup), on a
// project made by bench/generate.mjs whose other modules import names the edits add and drop. Each index is compared
// with a scan from scratch; seeded (bench/edits.ts prng): a failure names its seed and step.
// Usage: node --import tsx bench/fuzz-models.ts [--seeds 10] [--steps 60] [--from 1]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Scanner } from '../src/core/scan';
import { PATCH_STATS } from '../src/core/models';
import { setOverlay, setTrusted } from '../src/core/vfs';
import { prng } from './edits';
import { facts, fromScratch } from './fuzz-incremental';

/** What a failed run found: the seed and step, the edit, and the top-level keys of the index that differ. */
export interface ModelsFuzzFailure { seed: number; step: number; op: number; file: string; keys: string[] }

/** `steps` edits of seed `seed` on a new generated project (removed after); null when each index was as from scratch. */
export async function fuzzModels(seed: number, steps: number): Promise<ModelsFuzzFailure | null> {
  setTrusted(true);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dmdb-fuzz-models-'));
  const files: string[] = [];
  try {
    execFileSync(process.execPath, [path.join(__dirname, 'generate.mjs'), root, '4', '4', '4'], { stdio: 'ignore' });
    for (let i = 0; i < 4; i++) files.push(path.join(root, `app00${i}`, 'models.py'));
    // names the edits add and drop, imported elsewhere: a base (guessed while missing), a lower-case lookup, an
    // abstract base whose fields another app's model inherits
    fs.appendFileSync(files[2]!, '\n\nfrom app000.models import Later  # noqa\n\n\nclass UsesLater(Later):\n    code = models.CharField(max_length=10)\n\n\n' +
      'class Pointer(models.Model):\n    to = models.ForeignKey("app000.laterone", on_delete=models.CASCADE)\n');
    fs.appendFileSync(files[1]!, '\n\nfrom app000.models import Stamped  # noqa\n\n\nclass Sub(Stamped):\n    code = models.CharField(max_length=10)\n');
    fs.appendFileSync(files[0]!, '\n\nclass Stamped(models.Model):\n    stamp = models.ForeignKey("app000.Thing0x0", on_delete=models.CASCADE)\n\n    class Meta:\n        abstract = True\n');
    const rnd = prng(seed);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
    const texts = new Map(files.map(f => [f, fs.readFileSync(f, 'utf8')]));
    const scanner = new Scanner({ root, allowPython: false, cacheWriteDelayMs: 60_000 });
    await scanner.index();
    const names = ['Later', 'LaterOne', 'laterone', 'Thing0x0', 'Thing1x2', 'Extra', 'Extra2', 'Stamped', 'Form1', 'Mixin'];
    const refs = ['app000.Thing0x0', 'app000.thing0x1', 'app001.Thing1x0', 'app000.LaterOne', 'app000.Extra', 'Thing0x2', 'app003.Thing3x1'];
    for (let step = 0; step < steps; step++) {
      const file = pick(files);
      let t = texts.get(file)!;
      const op = Math.floor(rnd() * 11);
      switch (op) {
        case 0: {
          const all = [...t.matchAll(/ForeignKey\("([A-Za-z0-9_.]+)"/g)];
          if (all.length) { const x = pick(all); t = t.slice(0, x.index) + `ForeignKey("${pick(refs)}"` + t.slice(x.index! + x[0].length); }
          break;
        }
        case 1: t += `\n\nclass ${pick(names)}(${pick(['models.Model', 'Stamped', 'Mixin', 'object', 'Thing0x0'])}):\n    f = models.ForeignKey("${pick(refs)}", on_delete=models.CASCADE)\n`; break;
        case 2: t += `\n\ndef ${pick(['helper', 'Later', 'models', 'Mixin', 'base'])}(x):\n    return x\n`; break;
        case 3: { const k = t.lastIndexOf('\n\n\n'); if (k > 0) t = t.slice(0, k) + '\n'; break; }
        case 4: t = t.replace(/max_length=(\d+)/, (_m, n: string) => `max_length=${Number(n) + 1}`); break;
        case 5: t = t.replace(/default=(\d+)/, (_m, n: string) => `default=${Number(n) + 1}`); break;
        case 6: t += '\n\nclass Mixin:\n    pass\n'; break;
        case 7: t = `from app00${Math.floor(rnd() * 4)}.models import ${pick(['Thing1x0', 'Later', 'Stamped', 'Mixin'])}  # noqa\n` + t; break;
        case 8: t = t.includes('abstract = True') ? t.replace('abstract = True', 'abstract = False') : t.replace('abstract = False', 'abstract = True'); break;
        case 9: t = t.replace(/class (Thing\dx\d)\(/, (_m, n: string) => `class ${n}b(`); break;
        default: {
          const k = t.indexOf('\n\n\nclass ');
          if (k > 0) t = t.slice(0, k) + `\n\n\nclass Inserted${Math.floor(rnd() * 9)}(models.Model):\n    pass\n` + t.slice(k);
        }
      }
      texts.set(file, t);
      setOverlay(file, t);
      const incremental = facts(await scanner.index());
      const scratch = facts(await fromScratch({ root, allowPython: false }));
      if (!isDeepStrictEqual(incremental, scratch)) {
        const keys = Object.keys(scratch).filter(k => !isDeepStrictEqual(incremental[k], scratch[k]));
        return { seed, step, op, file: path.relative(root, file), keys };
      }
    }
    return null;
  } finally {
    for (const f of files) setOverlay(f, null);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const arg = (n: string, d: string): string => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1]! : d; };
  const seeds = Number(arg('seeds', '10')), steps = Number(arg('steps', '60')), from = Number(arg('from', '1'));
  let failed = 0;
  for (let seed = from; seed < from + seeds; seed++) {
    const failure = await fuzzModels(seed, steps);
    if (failure) failed++;
    console.log(failure ? `seed ${seed}: step ${failure.step} (op ${failure.op}, ${failure.file}) differs in ${failure.keys.join(', ')}` : `seed ${seed}: ${steps} steps as from scratch`);
  }
  console.log(`${failed} of ${seeds} seeds differ (models memo patched ${PATCH_STATS.patched} times, run whole ${PATCH_STATS.declined} times after an edit)`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) void main();
