// models/index.ts reads an app's modules to learn whether its code imports a `models` module the app's models
// package does not (a nested `dataloaders/models.py`); a module not parsed yet is parsed only when mayImportAny says
// its text may import one of them. It must never say no for a module with such an import, whatever the spelling:
// checked on written cases and, as an oracle, on every import statement of Django's own package (each import a
// module makes is a candidate its text must be found to import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mayImportAny } from '../../src/core/models';
import { ModuleIndex } from '../../src/core/python/modules';
import { initPython, parsePython } from '../../src/core/python/parse';
import { allStmts } from '../../src/core/lints/walk';
import { djangoPython } from '../oracle/helpers';

const C = ['shop.graphql.webhook.dataloaders.models'];
/** as a module of the app `shop.graphql` would resolve a relative import (a plain module, not a package) */
const at = (name: string, isPackage = false) => (level: number, module: string | null) => ModuleIndex.absoluteName(name, isPackage, level, module);

const importing: [string, string][] = [
  ['import shop.graphql.webhook.dataloaders.models', 'shop.graphql.schema'],
  ['import shop.graphql.webhook.dataloaders.models as m', 'shop.graphql.schema'],
  ['import os, shop . graphql . webhook . dataloaders . models', 'shop.graphql.schema'],
  ['import shop.graphql.webhook.\\\n    dataloaders.models', 'shop.graphql.schema'],
  ['from shop.graphql.webhook.dataloaders.models import X', 'shop.graphql.schema'],
  ['from shop.graphql.webhook.dataloaders import models', 'shop.graphql.schema'],
  ['from shop.graphql.webhook.dataloaders import (\n    other,\n    models,\n)', 'shop.graphql.schema'],
  ['def f():\n    from ..webhook.dataloaders.models import X\n    return X', 'shop.graphql.app.views'],
  ['from ..webhook.dataloaders import models', 'shop.graphql.app.views'],
  ['from .dataloaders.models import X', 'shop.graphql.webhook.resolvers'],
  ['from . import models', 'shop.graphql.webhook.dataloaders.__init__'.replace('.__init__', '')],
  ['from .models import X', 'shop.graphql.webhook.dataloaders.loaders'],
  ['from.models import X', 'shop.graphql.webhook.dataloaders.loaders'],
  ['from \\\n  .models import X', 'shop.graphql.webhook.dataloaders.loaders'],
  ['if TYPE_CHECKING: from .models import X', 'shop.graphql.webhook.dataloaders.loaders'],
  ['from shop.graphql.webhook.dataloaders.models.sub import X', 'shop.graphql.schema'],
];
const notImporting: [string, string][] = [
  ['from ..core.dataloaders import DataLoader\nfrom django.db import models', 'shop.graphql.app.views'],
  ['from .models import X', 'shop.graphql.app.views'],
  ['import shop.graphql.webhook.dataloaders', 'shop.graphql.schema'],
  ['x = dataloaders.models.X  # not an import', 'shop.graphql.schema'],
  ['result = yield from shop.graphql.webhook.dataloaders.models_x()', 'shop.graphql.schema'],
];

test('mayImportAny says yes for every spelling of an import of a candidate, and no for modules that import none', async () => {
  for (const [src, mod] of importing) {
    const isPackage = mod === 'shop.graphql.webhook.dataloaders';
    assert.equal(mayImportAny(src, C, at(mod, isPackage)), true, `${mod}: ${src}`);
  }
  for (const [src, mod] of notImporting) assert.equal(mayImportAny(src, C, at(mod)), false, `${mod}: ${src}`);
  assert.equal(mayImportAny('import anything', [], at('x')), false);
});

const PY = djangoPython();

test('every import statement of Django\'s package is found by mayImportAny (an oracle of real spellings)', { skip: !PY && 'no Django venv' }, async () => {
  await initPython();
  const dir = execFileSync(PY!, ['-c', 'import django, os; print(os.path.dirname(django.__file__))'], { encoding: 'utf8' }).trim();
  const root = path.dirname(dir);
  let modules = 0, imports = 0;
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) { walk(f); continue; }
      if (!e.name.endsWith('.py')) continue;
      const isPackage = e.name === '__init__.py';
      const name = path.relative(root, isPackage ? d : f.slice(0, -3)).split(path.sep).join('.');
      const src = fs.readFileSync(f, 'utf8');
      modules++;
      for (const s of allStmts(parsePython(src, f).body)) {
        const targets = s.type === 'Import' ? s.names.map(a => a.name)
          : s.type === 'ImportFrom' ? [ModuleIndex.absoluteName(name, isPackage, s.level, s.module)].flatMap(m => (m ? [m, ...s.names.map(a => `${m}.${a.name}`)] : []))
            : [];
        for (const t of targets) {
          if (t.endsWith('.*') || !t.includes('.')) continue;
          imports++;
          assert.ok(mayImportAny(src, [t], at(name, isPackage)), `${name} imports ${t}, not found in its text`);
        }
      }
    }
  };
  walk(dir);
  assert.ok(modules > 500 && imports > 3000, `${modules} modules, ${imports} imports`);
});
