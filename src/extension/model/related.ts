// Pure (no `vscode`): the related places of a finding's diagnostic (the target model of a cross-database relation, the
// routers that decide its two models, where evaluation gave up, the leaf migrations of a conflict), as data:
// diagnostics.ts makes VS Code's related information of them, and compares them to tell whether a kept file's
// diagnostics still point where they should.
import { decisionLookup, type DecisionLookup } from '../../core/findings';
import type { ProjectIndex } from '../../core/scan';
import type { Finding } from '../../core/types';
import { routerLocation, shortRouter } from './routing';

/** A place a finding's diagnostic links to, with what it is. */
export interface RelatedPlace { path: string; line: number; message: string }

/** A place as one line of text (a file's places compared between updates). */
export const placeLine = (r: RelatedPlace) => `${r.path}:${r.line}:${r.message}\n`;

/** The places `f`'s diagnostic links to, in `index`. */
export function relatedPlaces(index: ProjectIndex, f: Finding): RelatedPlace[] {
  return related(index, f).places;
}

/** `relatedPlaces`, and them as text, one `placeLine` each (what a file's diagnostics are compared by after an edit). */
export function relatedWithText(index: ProjectIndex, f: Finding): { places: RelatedPlace[]; text: string } {
  const r = related(index, f);
  r.text ??= r.places.map(placeLine).join('');
  return r as { places: RelatedPlace[]; text: string };
}

interface Related { places: RelatedPlace[]; text?: string }

/**
 * A cross-database relation's places, kept per finding object with what they were made from, compared by identity:
 * its target model, the decisions of its two models on its alias and the routers' places. After an edit (a new
 * routing or models array) the diagnostics compare every such file's places again: hundreds of findings.
 */
const crossDbRelated = new WeakMap<Finding, Related & { target: unknown; model: unknown; targetDecision: unknown; routerLocs: unknown }>();

function related(index: ProjectIndex, f: Finding): Related {
  if (f.code === 'cross-db-foreign-key' && f.target) {
    const target = byKey(index.models).get(f.target);
    const decisions = relatedDecisions(index);
    const dm = f.alias && f.model ? decisions.get(f.alias, f.model) : undefined;
    const dt = f.alias ? decisions.get(f.alias, f.target) : undefined;
    const kept = crossDbRelated.get(f);
    if (kept && kept.target === target && kept.model === dm && kept.targetDecision === dt && kept.routerLocs === index.routerLocs) return kept;
    const r = { places: relatedPlacesNow(index, f), target, model: dm, targetDecision: dt, routerLocs: index.routerLocs };
    crossDbRelated.set(f, r);
    return r;
  }
  return { places: relatedPlacesNow(index, f) };
}

function relatedPlacesNow(index: ProjectIndex, f: Finding): RelatedPlace[] {
  const out: RelatedPlace[] = [];
  const decisions = { get: (alias: string, model: string) => relatedDecisions(index).get(alias, model) };
  if (f.code === 'cross-db-foreign-key' && f.target) {
    const target = byKey(index.models).get(f.target);
    if (target) out.push({ path: target.loc.path, line: target.loc.line, message: `target model ${target.key}` });
    // one line per deciding router (not per alias): the hover shows these lines above everything else
    const seen = new Set<string>();
    for (const alias of f.alias ? [f.alias] : []) {
      for (const key of [f.model, f.target]) {
        if (!key) continue;
        const d = decisions.get(alias, key);
        const loc = routerLocation(index, d);
        if (!loc || !d?.decidedBy || seen.has(`${loc.path}:${loc.line}`)) continue;
        seen.add(`${loc.path}:${loc.line}`);
        out.push({ path: loc.path, line: loc.line, message: `${shortRouter(d.decidedBy)} decides ${key}` });
      }
    }
  } else if (f.code === 'unknown-routing' && f.model && f.alias) {
    const loc = routerLocation(index, decisions.get(f.alias, f.model));
    if (loc && (loc.path !== f.path || loc.line !== f.line)) out.push({ path: loc.path, line: loc.line, message: 'where evaluation gave up' });
  } else if (f.code === 'migration-conflict') {
    for (const k of f.migrations ?? []) {
      const key = k.includes('.') ? k : `${f.app ?? ''}.${k}`;
      const m = byKey(index.migrations).get(key);
      if (m && m.path !== f.path) out.push({ path: m.path, line: 1, message: `leaf migration ${m.key}` });
    }
  }
  return out;
}

/**
 * The routing decisions of the models the findings' related links name (a cross-database relation's two models, an
 * unknown routing's model), picked from the routing array in one pass per findings array (core/findings.ts
 * DecisionLookup). A new routing array (every edit that routes, every merge of Django's answer) was indexed whole for
 * these few lookups, 6,000 rows and 2–3 ms of the host's thread each time in CI.
 */
function relatedDecisions(index: ProjectIndex): DecisionLookup {
  const lookup = decisionLookup(index.routing);
  const needed = relatedModels(index.findings);
  if (pickedFor.get(lookup) !== needed) {
    lookup.pick(needed);
    pickedFor.set(lookup, needed);
  }
  return lookup;
}

/** the models each lookup picked for the related links last (one pass per findings array) */
const pickedFor = new WeakMap<DecisionLookup, ReadonlySet<string>>();

/** The models the related links of `findings` look up decisions for, per findings array. */
function relatedModels(findings: readonly Finding[]): ReadonlySet<string> {
  let out = neededModels.get(findings);
  if (!out) {
    const set = new Set<string>();
    for (const f of findings) {
      if (f.code === 'cross-db-foreign-key') { if (f.model) set.add(f.model); if (f.target) set.add(f.target); }
      else if (f.code === 'unknown-routing' && f.model) set.add(f.model);
    }
    neededModels.set(findings, (out = set));
  }
  return out;
}

const neededModels = new WeakMap<readonly Finding[], ReadonlySet<string>>();

/** The codes of the findings that have related information (`relatedPlaces`). */
export const RELATED_CODES: ReadonlySet<string> = new Set(['cross-db-foreign-key', 'unknown-routing', 'migration-conflict']);

/** Models or migrations by key, per array (the first of a key, as `find` gave), made when a finding first asks. */
const KEYED = new WeakMap<readonly { key: string }[], Map<string, unknown>>();
function byKey<T extends { key: string }>(list: readonly T[]): Map<string, T> {
  let m = KEYED.get(list) as Map<string, T> | undefined;
  if (!m) {
    m = new Map();
    for (const x of list) if (!m.has(x.key)) m.set(x.key, x);
    KEYED.set(list, m);
  }
  return m;
}
