// The AppliedState every reader returns; defaults say "nothing applied, nothing known to exist".
import type { AppliedState } from '../types';

export function appliedState(
  alias: string,
  fields: Partial<Omit<AppliedState, 'alias'>> & Pick<AppliedState, 'reachable'>,
): AppliedState {
  return {
    alias,
    reachable: fields.reachable,
    applied: fields.applied ?? 0,
    error: fields.error ?? null,
    appliedKeys: fields.appliedKeys ?? new Set(),
    exists: fields.exists ?? false,
  };
}
