// The state of the last database read carried over a newer static index (an edit while typing is shown with the
// pending counts and findings of the last read until the databases are read again). The extension host makes these
// indexes; the scan worker makes the same from its own index and the read it keeps, so that the host names the read
// (a token) instead of sending its state (a large project's plans and findings: megabytes) with every request.
import { STATE_CODES } from '../../core/findings';
import type { ProjectIndex } from '../../core/scan';

/** The properties a database read sets on an index. */
export const STATE_PROPS = ['applied', 'plans', 'drift'] as const;

type State = { props: Pick<ProjectIndex, 'applied' | 'plans' | 'drift'>; findings: ProjectIndex['findings'] };

/** the state an index was given by `carryState` (the next edit carries it on without looking through its findings) */
const carriedStates = new WeakMap<ProjectIndex, State>();

/** What a database read added to an index: its properties, and its findings (pending migrations, drift). */
export function stateOf(index: ProjectIndex): State {
  return carriedStates.get(index) ?? {
    props: { applied: index.applied, plans: index.plans, ...(index.drift ? { drift: index.drift } : {}) },
    findings: index.findings.filter(f => STATE_CODES.has(f.code)),
  };
}

/** `next` with the state of the database read `last` holds. */
export function carryState(next: ProjectIndex, last: ProjectIndex): ProjectIndex {
  const state = stateOf(last);
  const out = { ...next, ...state.props, findings: [...next.findings, ...state.findings] };
  carriedStates.set(out, state);
  return out;
}
