// A password kept in secret storage belongs to one database server, not to an alias name: settings (or an
// env file, or a pull request) can point the alias somewhere else, and the stored password must not follow.
// A stored override is bound to the destination it was saved for (engine + host + port + database NAME, after
// the override's own host/port/name are applied); when the destination changes, the password is withheld and
// the user is asked again.
import type { DatabaseSetting } from '../types';

export interface ConnectionOverride {
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  name?: string;
  /** the destination the password was stored for; absent on entries saved before binding existed */
  target?: SecretTarget;
}

export interface SecretTarget {
  engine: string;
  host: string;
  port: string;
  name: string;
}

type DbLike = Pick<DatabaseSetting, 'engine' | 'host' | 'port' | 'name'>;

function norm(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v).trim();
}

/** Where a connection with this setting (and override) goes. */
export function secretTarget(db: DbLike, override?: Pick<ConnectionOverride, 'host' | 'port' | 'name'>): SecretTarget {
  return {
    engine: norm(db.engine),
    // host names are case-insensitive; an empty HOST means the driver's default (socket or localhost)
    host: norm(override?.host ?? db.host).toLowerCase(),
    port: norm(override?.port ?? db.port),
    name: norm(override?.name ?? db.name),
  };
}

export function sameTarget(a: SecretTarget, b: SecretTarget): boolean {
  return a.engine === b.engine && a.host === b.host && a.port === b.port && a.name === b.name;
}

/** The override to store: the patch merged into the current one, bound to where it now points. */
export function bindOverride(db: DbLike, current: ConnectionOverride | undefined, patch: ConnectionOverride): ConnectionOverride {
  const next: ConnectionOverride = { ...(current ?? {}), ...patch };
  delete next.target;
  return { ...next, target: secretTarget(db, next) };
}

export interface OverrideCheck {
  /** what may be applied: without the password when the destination changed */
  override: ConnectionOverride;
  /** the stored password was withheld because the destination is not the one it was saved for */
  stale: boolean;
  /** a short, password-free description of the change, for the message that asks again */
  change: string | null;
}

function describe(t: SecretTarget): string {
  return `${t.engine || '?'} ${t.host || '(default host)'}${t.port ? `:${t.port}` : ''}/${t.name || '?'}`;
}

/** Decides whether a stored override's password may be sent to `db` as the settings now describe it. */
export function checkOverride(db: DbLike, stored: ConnectionOverride | undefined): OverrideCheck {
  if (!stored) return { override: {}, stale: false, change: null };
  const { target, ...rest } = stored;
  if (rest.password === undefined) return { override: rest, stale: false, change: null };
  const now = secretTarget(db, rest);
  // an entry without a binding cannot prove where it belongs: treat it as changed
  if (!target || !sameTarget(target, now)) {
    const { password: _withheld, ...safe } = rest;
    return {
      override: safe,
      stale: true,
      change: target ? `saved for ${describe(target)}, the settings now name ${describe(now)}` : `saved without a destination; the settings name ${describe(now)}`,
    };
  }
  return { override: rest, stale: false, change: null };
}
