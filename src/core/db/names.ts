// Names Django generates for tables and constraints, as each backend limits them (django.db.backends.utils
// truncate_name, DatabaseOperations.max_name_length): drift looks for those tables, the model index names them.
import { createHash } from 'crypto';
import { engineKind } from './index';

/** Django's max_name_length per backend (DatabaseOperations.max_name_length); null = no limit. */
export function maxNameLength(engine: string | null | undefined): number | null {
  switch (engineKind(engine)) {
    case 'postgresql': return 63;
    case 'mysql': return 64;
    case 'oracle': return 30;
    default: return null;
  }
}

/** django.db.backends.utils.truncate_name (with names_digest): long generated names get a 4-character md5 suffix. */
export function truncateName(name: string, length: number | null, hashLen = 4): string {
  if (length === null || name.length <= length) return name;
  const digest = createHash('md5').update(name).digest('hex').slice(0, hashLen);
  return `${name.slice(0, length - hashLen)}${digest}`;
}
