// The cross-database foreign key quick fix's edit (src/extension/model/dbConstraint.ts): db_constraint=False added to
// the field call on one line or across lines, the result checked to parse as Python with the argument in the call.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { dbConstraintEdit, type LineEdit } from '../../src/extension/model/dbConstraint';
import { initPython, parsePython } from '../../src/core/python/parse';

before(async () => { await initPython(); });

function apply(src: string, e: LineEdit): string {
  const lines = src.split('\n');
  const offset = (l: number, c: number) => lines.slice(0, l).reduce((n, x) => n + x.length + 1, 0) + c;
  return src.slice(0, offset(e.line, e.col)) + e.text + src.slice(offset(e.endLine, e.endCol));
}

function fixed(src: string, line = 3): string | null {
  const e = dbConstraintEdit(src.split('\n'), line);
  if (!e) return null;
  const out = apply(src, e);
  const mod = parsePython(out, 'models.py');
  assert.deepEqual(mod.problems, [], `parses: ${out}`);
  return out;
}

const HEAD = 'from django.db import models\n\nclass Order(models.Model):\n';

test('one line: appended inside the call, whatever precedes the `)`', () => {
  assert.equal(fixed(`${HEAD}    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE)\n`),
    `${HEAD}    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, db_constraint=False)\n`);
  assert.equal(fixed(`${HEAD}    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE,)  # why\n`),
    `${HEAD}    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, db_constraint=False)  # why\n`);
  // a ")" inside a string is not the call's
  assert.equal(fixed(`${HEAD}    customer = models.ForeignKey("crm.Customer", help_text="(see)", on_delete=models.CASCADE)\n`),
    `${HEAD}    customer = models.ForeignKey("crm.Customer", help_text="(see)", on_delete=models.CASCADE, db_constraint=False)\n`);
});

test("across lines (Black's layout), with or without a trailing comma, with a comment", () => {
  const black = `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer",\n        on_delete=models.CASCADE,\n    )\n`;
  assert.equal(fixed(black), `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer",\n        on_delete=models.CASCADE,\n        db_constraint=False,\n    )\n`);
  const noComma = `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer",\n        on_delete=models.CASCADE  # the customer\n    )\n`;
  assert.equal(fixed(noComma), `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer",\n        on_delete=models.CASCADE,  # the customer\n        db_constraint=False,\n    )\n`);
  const lastOnLine = `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer", on_delete=models.CASCADE)\n`;
  assert.equal(fixed(lastOnLine), `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer", on_delete=models.CASCADE, db_constraint=False)\n`);
  const docstring = `${HEAD}    customer = models.ForeignKey(\n        "crm.Customer",\n        help_text="""a (long)\n        text""",\n        on_delete=models.CASCADE,\n    )\n`;
  assert.match(fixed(docstring)!, /on_delete=models\.CASCADE,\n {8}db_constraint=False,\n {4}\)\n$/);
});

test('nothing where db_constraint is passed already, or where the line has no field call', () => {
  assert.equal(fixed(`${HEAD}    customer = models.ForeignKey(\n        "crm.Customer",\n        db_constraint=True,\n        on_delete=models.CASCADE,\n    )\n`), null);
  assert.equal(fixed(`${HEAD}    name = models.CharField(max_length=5)\n`), null);
  // a nested call's db_constraint keyword is not the field's
  assert.notEqual(fixed(`${HEAD}    customer = models.ForeignKey("crm.Customer", on_delete=pick(db_constraint=1))\n`), null);
});
