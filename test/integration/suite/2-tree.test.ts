import * as assert from 'assert';
import { alias, expected, flatten, getState, waitFor } from './helpers';

suite('databases tree', () => {
  test('every SQLite alias is reachable and its pending count equals Django\'s plan', async () => {
    const e = expected();
    // databases are read off the activation path: wait until every alias has a count
    const s = await waitFor('pending counts for all aliases', async () => {
      const st = await getState();
      return st.aliases.every(a => typeof a.pending === 'number') ? st : undefined;
    }, 30000);
    for (const [name, plan] of Object.entries(e.plans)) {
      const a = alias(s, name);
      assert.strictEqual(a.reachable, true, `${name} reachable (${a.error ?? ''})`);
      assert.match(String(a.engine ?? ''), /sqlite/i, `${name} engine`);
      assert.strictEqual(a.pending, plan.length, `${name}: pending ${a.pending}, Django plans ${plan.length}: ${plan.join(', ')}`);
    }
  });

  test("a database's apps: those with tables there first, then the others; the tooltip says what n/m counts", async () => {
    const st = await getState();
    for (const name of Object.keys(expected().plans)) {
      const node = flatten((st as any).databases).find(n => n.label === name && /alias/.test(n.contextValue ?? ''));
      const apps = (node?.children ?? []).filter(n => n.contextValue === 'app');
      assert.ok(apps.length, `apps under ${name}`);
      const migrating = apps.map(a => Number(/^(\d+)\//.exec(a.description ?? '')?.[1] ?? 0) > 0);
      assert.deepStrictEqual(migrating, [...migrating].sort((a, b) => Number(b) - Number(a)), `${name}: ${apps.map(a => `${a.label} ${a.description}`).join(', ')}`);
      assert.match(String((apps[0] as any).tooltip ?? ''), new RegExp(`whose table migrations create on '${name}'`));
      // a SQLite file not created yet is said to be so, not "read directly"
      const tip = String((node as any).tooltip ?? '');
      if (name === 'default') assert.match(tip, /Plan and state from/, tip);
      else assert.match(tip, /Plan and state from|The database file does not exist yet|no `django_migrations` table yet/, tip);
    }
  });

  test('the fixture is what the other suites need: default migrated, another alias pending', () => {
    const { plans } = expected();
    assert.strictEqual(plans.default?.length, 0, 'the runner migrated default');
    assert.ok(Object.entries(plans).some(([n, p]) => n !== 'default' && p.length > 0), 'some alias has pending migrations');
  });
});
