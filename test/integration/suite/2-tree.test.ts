import * as assert from 'assert';
import { alias, expected, getState, waitFor } from './helpers';

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

  test('the fixture is what the other suites need: default migrated, another alias pending', () => {
    const { plans } = expected();
    assert.strictEqual(plans.default?.length, 0, 'the runner migrated default');
    assert.ok(Object.entries(plans).some(([n, p]) => n !== 'default' && p.length > 0), 'some alias has pending migrations');
  });
});
