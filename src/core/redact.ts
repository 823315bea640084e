// The one place that knows what a secret looks like. Every output boundary (CLI stdout/stderr, the JSON report,
// finding messages, the Django helper's traceback, the extension's log) passes its text through a `Redactor`.
//
// Two layers, because neither is enough alone:
// - the settings' actual password values (DATABASES[*].PASSWORD, OPTIONS password/passwd, TEST.PASSWORD,
//   secrets from VS Code's storage), masked wherever they appear, also URL-encoded or escaped as in JSON and
//   Python string literals;
// - patterns for text that holds a password we could not evaluate (a settings line that fails is printed in
//   a traceback before any value is known): URL userinfo (`scheme://user:PW@host`) and `PASSWORD`-like keys
//   followed by `=` or `:` and a value (`'PASSWORD': '…'`, `"password": "…"`, `password=…`, `PGPASSWORD=…`).

export const MASK = '********';

/** Secrets shorter than this are only masked through the patterns: masking "a" everywhere would garble text. */
const MIN_SECRET = 3;

// scheme://user:password@ — the user part may be empty; the password runs to the last '@' before the host
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s/'"]*)@/gi;
// a key whose name ends in password/passwd/pwd (PASSWORD, DB_PASSWORD, PGPASSWORD, "passwd"), optionally quoted,
// then = or : and a quoted or bare value
const KEY_VALUE =
  /((["']?)\b[A-Za-z0-9_-]*(?:password|passwd|pwd)\2\s*[:=]\s*)(?:(["'])((?:\\.|(?!\3)[^\\\n])*)\3|([^\s,;)}\]'"]+))/gi;

function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  try {
    out.add(encodeURIComponent(secret));
  } catch {
    /* lone surrogate */
  }
  out.add(JSON.stringify(secret).slice(1, -1));
  // Python's repr escapes the backslash and the quote the same way JSON does for the common cases; add the
  // single-quote escape repr() uses when the value contains both quotes
  out.add(secret.replace(/\\/g, '\\\\').replace(/'/g, "\\'"));
  out.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  return [...out].filter((v) => v.length >= MIN_SECRET);
}

/** What a KEY_VALUE match must contain: a quick test first (megabytes of JSON report hold none, mostly). */
const MAY_BE_KEY = /pass|pwd/i;

/** Masks URL userinfo passwords and `PASSWORD`-like key/value pairs. */
export function redactPatterns(text: string): string {
  if (!text) return text;
  let out = text;
  if (out.includes('://')) out = out.replace(URL_USERINFO, (_m, head: string, pw: string) => (pw ? `${head}${MASK}@` : `${head}@`));
  if (!MAY_BE_KEY.test(out)) return out;
  return out
    .replace(KEY_VALUE, (m, head: string, _kq: string, q: string | undefined, quoted: string | undefined, bare: string | undefined, offset: number, whole: string) => {
      if (q !== undefined) return quoted ? `${head}${q}${MASK}${q}` : m;
      // a function named as the reason a value is not known (`….PASSWORD: re.match (not evaluated)`, Tandoor)
      if (bare !== undefined && /^[A-Za-z_][\w.]*$/.test(bare) && whole.startsWith(' (not evaluated)', offset + m.length)) return m;
      // a bare value that is code (os.environ['X'], env("DB_PW"), a name) is not a secret: keep it readable
      // (nor the first word of a sentence saying why a value is not known: `….PASSWORD: depends on the whole
      // environment`, dis-wagtail)
      if (bare === undefined || /^(?:os\.|env\b|environ\b|config\b|get\b|None\b|null\b|true\b|false\b|True\b|False\b|\*+$)/.test(bare) ||
        /^(?:depends|not|may|is|raised|could|cannot|unknown|set|environment|from|read)$/.test(bare)) return m;
      return `${head}${MASK}`;
    });
}

/** A secret-looking key in OPTIONS (Django passes OPTIONS to the driver: psycopg's password, MySQLdb's passwd). */
export function isSecretKey(key: string): boolean {
  return /pass|secret|token|credential|(^|_)key$/i.test(key);
}

/** Values that must never be printed, taken from DATABASES-like entries. */
export function secretsOfDatabases(
  databases: readonly { password?: unknown; options?: Record<string, unknown>; raw?: Record<string, unknown>; name?: unknown; user?: unknown; host?: unknown; alias?: unknown }[] | null | undefined,
): string[] {
  const out: string[] = [];
  let shown = new Set<string>();
  const add = (v: unknown) => {
    const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '';
    // a password equal to the entry's NAME, USER, HOST or alias (postgres://saleor:saleor@…/saleor) is printed as
    // that anyway: masking it would garble every path and name that contains the word, and hide nothing
    if (s && !shown.has(s)) out.push(s);
  };
  for (const d of databases ?? []) {
    shown = new Set([d.name, d.user, d.host, d.alias].filter((x): x is string => typeof x === 'string' && !!x));
    add(d.password);
    for (const [k, v] of Object.entries(d.options ?? {})) if (isSecretKey(k)) add(v);
    const raw = d.raw ?? {};
    for (const [k, v] of Object.entries(raw)) {
      if (isSecretKey(k)) add(v);
      if (k === 'TEST' && v && typeof v === 'object') add((v as Record<string, unknown>).PASSWORD);
    }
  }
  return out;
}

/**
 * Whether a secret is masked only where it stands alone: a word-like one (letters only, or shorter than 8
 * characters: "kolibri", "shop", "saleor") is masked where no letter, digit or `_` touches it, nor a `.`/`-`
 * joining it to one (Kolibri Studio's fallback password "kolibri" garbled `kolibri_content.router`, the
 * `kolibri-studio` NAME and file paths in the JSON, SARIF and GitHub annotations). A longer one with a digit or a
 * symbol is not found inside other words by chance: masked wherever it appears.
 */
function standsAlone(secret: string): boolean {
  return secret.length < 8 || /^[A-Za-z]+$/.test(secret);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Masks known secret values and secret-looking patterns. Keeps growing as secrets become known. */
export class Redactor {
  private readonly values = new Set<string>();
  private sorted: string[] | null = [];
  /** the patterns of the secrets masked only where they stand alone (standsAlone) */
  private readonly alone = new Map<string, RegExp>();
  /** words printed anyway (parts of the project's path, module names): never masked by value, only by pattern */
  private readonly exempt = new Set<string>();

  /** Words that are not secrets even if a password equals one of them (path segments of the project, say). */
  exemptWords(words: Iterable<string>): this {
    for (const w of words) if (w) this.exempt.add(w);
    for (const v of [...this.values]) if (this.exempt.has(v)) this.values.delete(v);
    this.sorted = null;
    return this;
  }

  constructor(secrets: Iterable<string | null | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | null | undefined): this {
    if (!secret || this.exempt.has(secret)) return this;
    for (const v of variants(secret)) {
      if (!this.values.has(v)) {
        this.values.add(v);
        this.sorted = null;
      }
    }
    return this;
  }

  addAll(secrets: Iterable<string | null | undefined>): this {
    for (const s of secrets) this.add(s);
    return this;
  }

  /** the password values of a settings object's DATABASES (and any connection overrides merged into them) */
  addDatabases(databases: Parameters<typeof secretsOfDatabases>[0]): this {
    return this.addAll(secretsOfDatabases(databases));
  }

  get size(): number {
    return this.values.size;
  }

  /** What decides its answers: two redactors with the same signature redact every text the same way. */
  get signature(): string {
    return [...this.values].sort().join('\u0000');
  }

  redact(text: string): string {
    if (!text) return text;
    let out = text;
    if (this.values.size) {
      // longest first, so a secret that contains another is masked whole
      this.sorted ??= [...this.values].sort((a, b) => b.length - a.length);
      for (const v of this.sorted) {
        if (!out.includes(v)) continue;
        if (!standsAlone(v)) { out = out.split(v).join(MASK); continue; }
        let re = this.alone.get(v);
        if (!re) {
          re = new RegExp(`(?<![A-Za-z0-9_]|[A-Za-z0-9_][.-])${escapeRegExp(v)}(?![A-Za-z0-9_]|[.-][A-Za-z0-9_])`, 'g');
          this.alone.set(v, re);
        }
        out = out.replace(re, MASK);
      }
    }
    return redactPatterns(out);
  }

  /** Deep copy of a JSON-like value with every string (and key) redacted. */
  redactValue<T>(value: T): T {
    return this.walk(value) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.redact(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = this.walk(x);
      return o;
    }
    return v;
  }
}

/** One-shot: redact `text` with the given secrets and the patterns. */
export function redact(text: string, secrets: Iterable<string | null | undefined> = []): string {
  return new Redactor(secrets).redact(text);
}

/**
 * Wraps a writable stream's `write` so that everything written through it is redacted (the CLI's stdout and
 * stderr). Returns a function that restores the original.
 */
export function redactWrites(stream: { write: (...args: never[]) => boolean }, redactor: Redactor): () => void {
  const original = stream.write;
  const patched = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
    return (original as (...a: unknown[]) => boolean).call(stream, typeof text === 'string' ? redactor.redact(text) : text, ...rest);
  };
  (stream as { write: unknown }).write = patched;
  return () => {
    (stream as { write: unknown }).write = original;
  };
}

/** Finding messages (and settings' unknown reasons) without secrets; the objects are copied, not mutated. */
export function redactMessages<T extends { message: string }>(items: readonly T[], redactor: Redactor, done?: WeakMap<T, T>): T[] {
  return items.map((f) => {
    // (`done`: what a redactor of the same signature made of the same objects: most findings are the same objects
    // after an edit, their messages not matched against the patterns again)
    const known = done?.get(f);
    if (known) return known;
    const message = redactor.redact(f.message);
    const out = message === f.message ? f : { ...f, message };
    done?.set(f, out);
    return out;
  });
}
