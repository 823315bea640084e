// Small pieces the server readers (PostgreSQL, MySQL) share: reading Django's loosely typed settings values,
// certificate files named in OPTIONS, and closing a client without ever waiting on a dead server.
import * as fs from 'node:fs';
import * as os from 'node:os';

/** A settings value as a string (numbers and booleans too), or undefined. */
export function str(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

/** The contents of a file named in OPTIONS (`~` expanded), or undefined when no file is named. */
export function readFileOpt(p: string | undefined): string | undefined {
  if (!p) return undefined;
  return fs.readFileSync(p.startsWith('~') ? os.homedir() + p.slice(1) : p, 'utf8');
}

/** Ends a client politely for up to 1 s, then destroys its socket so nothing keeps the process alive. */
export async function closeWithin(end: () => Promise<unknown>, destroy: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      end().catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1000);
        timer.unref?.();
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    try {
      destroy();
    } catch {
      /* already gone */
    }
  }
}

/** The message for a network failure both drivers report with Node's error codes, or null for other errors. */
export function networkError(code: string | undefined, host: string | undefined, where: string): string | null {
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where} (is the server running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host ${host ?? ''} not found`;
    case 'ETIMEDOUT':
      return `connection to ${where} timed out`;
    default:
      return null;
  }
}
