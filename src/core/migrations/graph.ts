// The migration graph, ported line by line from Django 5.2:
//   django/db/migrations/graph.py    (MigrationGraph, iterative_dfs, root_nodes, leaf_nodes, ...)
//   django/db/migrations/loader.py   (MigrationLoader.build_graph, check_key, add_*_dependencies,
//                                     detect_conflicts)
//   django/db/migrations/executor.py (MigrationExecutor.migration_plan, forward case)
//
// Where Django raises (NodeNotFoundError, CircularDependencyError, "Dependency on unknown app"), we record
// a `GraphProblem` instead and carry on without the offending edge, so one bad migration does not hide the
// plan of everything else. On a graph without problems the results are identical to Django's, order
// included (sorted sets, reversed stacks, dummy nodes and all).
//
// Pure TypeScript: no I/O, no vscode.

import type { MigrationFileInfo, MigrationKey } from '../types';

// ---------------------------------------------------------------------------------------------
// Keys and ordering

/** "app.name", the key format of `MigrationFileInfo.key` and `AppliedState.appliedKeys`. */
export function migrationKey(app: string, name: string): MigrationKey {
  return `${app}.${name}`;
}

/**
 * The keys of migrations and of their references, kept per object: a graph is built again after every edit of a
 * migration's dependencies (issue 11), from the same objects for every migration not edited. A key made again is a
 * new string, hashed again by every map it is looked up in (about a third of a 3,000-migration graph's build).
 */
const KEYS = new WeakMap<object, MigrationKey>();

function keyOfMigration(m: { app: string; name: string }): MigrationKey {
  let k = KEYS.get(m);
  if (k === undefined) KEYS.set(m, (k = migrationKey(m.app, m.name)));
  return k;
}

function keyOfRef(ref: readonly [string, string]): MigrationKey {
  let k = KEYS.get(ref);
  if (k === undefined) KEYS.set(ref, (k = migrationKey(ref[0], ref[1])));
  return k;
}

/**
 * Python `str` comparison (by code point). JS `<` compares UTF-16 code units, which differs from code point
 * order only for astral characters against U+E000..U+FFFF; fix that case up.
 */
export function comparePyStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) {
        ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
        cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
      }
      return ca - cb;
    }
  }
  return a.length - b.length;
}

/** Python tuple order of (app_label, migration_name). */
export function compareNodes(a: { app: string; name: string }, b: { app: string; name: string }): number {
  return comparePyStr(a.app, b.app) || comparePyStr(a.name, b.name);
}

// ---------------------------------------------------------------------------------------------
// Graph

export interface GraphNode {
  app: string;
  name: string;
  /** "app.name" */
  key: MigrationKey;
  /**
   * Direct dependencies / dependants. Django keeps sets; these arrays hold no duplicates and their order is
   * meaningless (every traversal sorts them, and may reorder them in place).
   */
  parents: GraphNode[];
  children: GraphNode[];
  /** null for a dummy node (referenced by a dependency but not on disk) */
  migration: MigrationFileInfo | null;
  /** dummy nodes: the migration whose dependency created it */
  origin?: MigrationKey;
  /** creation index inside its graph (scratch arrays are indexed by it) */
  idx: number;
}

interface AppCache {
  roots: GraphNode[] | null;
  leaves: GraphNode[] | null;
}

function removeFrom(list: GraphNode[], node: GraphNode): void {
  const i = list.indexOf(node);
  if (i < 0) return;
  const last = list.pop()!;
  if (i < list.length) list[i] = last;
}

/** Django's `MigrationGraph` (node_map and nodes are one map here: they always hold the same keys). */
export class MigrationGraph {
  readonly nodeMap = new Map<MigrationKey, GraphNode>();
  private readonly byApp = new Map<string, GraphNode[]>();
  private readonly cache = new Map<string, AppCache>();
  /** number of nodes ever created (bound of `idx`) */
  created = 0;

  get size(): number {
    return this.nodeMap.size;
  }

  has(key: MigrationKey): boolean {
    return this.nodeMap.has(key);
  }

  get(key: MigrationKey): GraphNode | undefined {
    return this.nodeMap.get(key);
  }

  /** keys of all nodes, in insertion order */
  keys(): MigrationKey[] {
    return [...this.nodeMap.keys()];
  }

  /** direct dependencies of `key`, sorted */
  parentsOf(key: MigrationKey): MigrationKey[] {
    const n = this.nodeMap.get(key);
    return n ? n.parents.slice().sort(compareNodes).map((p) => p.key) : [];
  }

  /** direct dependants of `key`, sorted */
  childrenOf(key: MigrationKey): MigrationKey[] {
    const n = this.nodeMap.get(key);
    return n ? n.children.slice().sort(compareNodes).map((c) => c.key) : [];
  }

  private touch(app: string): void {
    if (this.cache.size) this.cache.delete(app);
  }

  private insert(node: GraphNode): GraphNode {
    this.nodeMap.set(node.key, node);
    let l = this.byApp.get(node.app);
    if (!l) this.byApp.set(node.app, (l = []));
    l.push(node);
    this.touch(node.app);
    return node;
  }

  /** pops the node from the maps (its edges are the caller's business, as in Django) */
  private drop(node: GraphNode): void {
    this.nodeMap.delete(node.key);
    const l = this.byApp.get(node.app);
    if (l) removeFrom(l, node);
    this.touch(node.app);
  }

  addNode(app: string, name: string, migration: MigrationFileInfo, key = migrationKey(app, name)): GraphNode {
    return this.insert({ app, name, key, parents: [], children: [], migration, idx: this.created++ });
  }

  addDummyNode(app: string, name: string, origin: MigrationKey, key = migrationKey(app, name)): GraphNode {
    return this.insert({ app, name, key, parents: [], children: [], migration: null, origin, idx: this.created++ });
  }

  /** `add_dependency(migration, child, parent, skip_validation=True)`; creates dummy nodes as Django does. */
  addDependency(origin: MigrationKey, child: [string, string], parent: [string, string], ck = migrationKey(child[0], child[1]), pk = migrationKey(parent[0], parent[1])): void {
    const c = this.nodeMap.get(ck) ?? this.addDummyNode(child[0], child[1], origin, ck);
    const p = this.nodeMap.get(pk) ?? this.addDummyNode(parent[0], parent[1], origin, pk);
    this.link(p, c);
  }

  /** adds the edge (no-op when present) */
  link(parent: GraphNode, child: GraphNode): void {
    if (child.parents.includes(parent)) return;
    child.parents.push(parent);
    parent.children.push(child);
    if (parent.app === child.app) this.touch(parent.app);
  }

  /** adds an edge known to be new (bulk loading) */
  linkNew(parent: GraphNode, child: GraphNode): void {
    child.parents.push(parent);
    parent.children.push(child);
  }

  unlink(parent: GraphNode, child: GraphNode): void {
    removeFrom(child.parents, parent);
    removeFrom(parent.children, child);
    if (parent.app === child.app) this.touch(parent.app);
  }

  /**
   * `remove_replaced_nodes`: drop each replaced node (when it exists) and re-point its edges to the
   * replacement. Returns false (and changes nothing) when the replacement is not in the graph.
   */
  removeReplacedNodes(replacement: MigrationKey, replaced: MigrationKey[]): boolean {
    const replacedSet = new Set(replaced);
    const rnode = this.nodeMap.get(replacement);
    if (!rnode) return false;
    for (const rk of replacedSet) {
      const node = this.nodeMap.get(rk);
      if (!node) continue;
      this.drop(node);
      for (const child of node.children.slice()) {
        removeFrom(child.parents, node);
        if (child.app === node.app) this.touch(child.app);
        if (!replacedSet.has(child.key)) this.link(rnode, child);
      }
      for (const parent of node.parents.slice()) {
        removeFrom(parent.children, node);
        if (parent.app === node.app) this.touch(parent.app);
        if (!replacedSet.has(parent.key)) this.link(parent, rnode);
      }
    }
    return true;
  }

  /**
   * `remove_replacement_node`: drop the replacement and re-point its children to the latest of the replaced
   * nodes (parents are left alone). Returns false when the replacement is not in the graph.
   */
  removeReplacementNode(replacement: MigrationKey, replaced: MigrationKey[]): boolean {
    const rnode = this.nodeMap.get(replacement);
    if (!rnode) return false;
    this.drop(rnode);
    const replacedNodes = new Set<GraphNode>();
    const replacedParents = new Set<GraphNode>();
    for (const k of replaced) {
      const n = this.nodeMap.get(k);
      if (n) {
        replacedNodes.add(n);
        for (const p of n.parents) replacedParents.add(p);
      }
    }
    for (const p of replacedParents) replacedNodes.delete(p);
    for (const child of rnode.children.slice()) {
      removeFrom(child.parents, rnode);
      if (child.app === rnode.app) this.touch(child.app);
      for (const rn of replacedNodes) this.link(rn, child);
    }
    for (const parent of rnode.parents.slice()) {
      removeFrom(parent.children, rnode);
      if (parent.app === rnode.app) this.touch(parent.app);
    }
    return true;
  }

  /** removes a node and all its edges (used to drop dummy nodes once they are reported) */
  removeNode(key: MigrationKey): void {
    const node = this.nodeMap.get(key);
    if (!node) return;
    this.drop(node);
    for (const c of node.children.slice()) this.unlink(node, c);
    for (const p of node.parents.slice()) this.unlink(p, node);
  }

  private appCache(app: string): AppCache {
    let c = this.cache.get(app);
    if (!c) this.cache.set(app, (c = { roots: null, leaves: null }));
    return c;
  }

  private rootsOf(app: string): GraphNode[] {
    const c = this.appCache(app);
    if (!c.roots) {
      const out: GraphNode[] = [];
      for (const n of this.byApp.get(app) ?? []) {
        if (!n.parents.some((p) => p.app === n.app)) out.push(n);
      }
      c.roots = out.sort(compareNodes);
    }
    return c.roots;
  }

  private leavesOf(app: string): GraphNode[] {
    const c = this.appCache(app);
    if (!c.leaves) {
      const out: GraphNode[] = [];
      for (const n of this.byApp.get(app) ?? []) {
        if (!n.children.some((ch) => ch.app === n.app)) out.push(n);
      }
      c.leaves = out.sort(compareNodes);
    }
    return c.leaves;
  }

  /** `root_nodes(app)`: nodes with no dependencies inside their app, sorted. Dummy nodes count (as in Django). */
  rootNodes(app?: string): MigrationKey[] {
    return this.rootNodeObjs(app).map((n) => n.key);
  }

  /** `leaf_nodes(app)`: nodes with no dependants inside their app, sorted. */
  leafNodes(app?: string): MigrationKey[] {
    return this.leafNodeObjs(app).map((n) => n.key);
  }

  rootNodeObjs(app?: string): GraphNode[] {
    if (app) return this.rootsOf(app).slice();
    const all: GraphNode[] = [];
    for (const a of this.byApp.keys()) all.push(...this.rootsOf(a));
    return all.sort(compareNodes);
  }

  leafNodeObjs(app?: string): GraphNode[] {
    if (app) return this.leavesOf(app).slice();
    const all: GraphNode[] = [];
    for (const a of this.byApp.keys()) all.push(...this.leavesOf(a));
    return all.sort(compareNodes);
  }

  /** `forwards_plan(target)`: dependencies of `target` in order, ending with it. Empty if unknown. */
  forwardsPlan(target: MigrationKey): MigrationKey[] {
    const n = this.nodeMap.get(target);
    return n ? iterativeDfs(this, [n], true, (x) => x.key) : [];
  }

  /** `backwards_plan(target)`: dependants of `target` (to unapply), ending with it. */
  backwardsPlan(target: MigrationKey): MigrationKey[] {
    const n = this.nodeMap.get(target);
    return n ? iterativeDfs(this, [n], false, (x) => x.key) : [];
  }

  /** dummy nodes still in the graph */
  dummyNodes(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const n of this.nodeMap.values()) if (!n.migration) out.push(n);
    return out;
  }

  /** number of edges */
  edgeCount(): number {
    let e = 0;
    for (const n of this.nodeMap.values()) e += n.parents.length;
    return e;
  }
}

function sortNodes(s: Iterable<GraphNode>): GraphNode[] {
  return [...s].sort(compareNodes);
}

/**
 * Django's `iterative_dfs` run for several starts sharing one visited set, emitting `emit(node)` in
 * post-order (dependencies first). For one start it is exactly `iterative_dfs`; for several starts the
 * emitted sequence is what `for t in starts: for m in forwards_plan(t): if m not in seen: seen.add(m)`
 * gives, because the set of nodes seen by earlier starts is closed under "parent of".
 *
 * On a cyclic graph Django's loop never ends (the loader refuses cycles before); here a node found again
 * while its own dependencies are being expanded is skipped, which breaks each cycle at a back edge.
 */
function iterativeDfs<T>(
  graph: MigrationGraph,
  starts: GraphNode[],
  forwards: boolean,
  emit: (n: GraphNode) => T | undefined,
  /** 0 = new, 1 = expanding, 2 = visited; indexed by GraphNode.idx */
  state: Uint8Array = new Uint8Array(graph.created),
): T[] {
  const out: T[] = [];
  const stackNodes: GraphNode[] = [];
  const stackDone: boolean[] = [];
  for (const start of starts) {
    stackNodes.push(start);
    stackDone.push(false);
    while (stackNodes.length) {
      const node = stackNodes.pop()!;
      const processed = stackDone.pop()!;
      const st = state[node.idx];
      if (st === 2) continue;
      if (processed) {
        state[node.idx] = 2;
        const v = emit(node);
        if (v !== undefined) out.push(v);
      } else {
        if (st === 1) continue; // back edge of a cycle
        state[node.idx] = 1;
        stackNodes.push(node);
        stackDone.push(true);
        const next = forwards ? node.parents : node.children;
        if (next.length > 1) next.sort(compareNodes);
        for (const n of next) {
          stackNodes.push(n);
          stackDone.push(false);
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loader

export type GraphProblemKind =
  /** a dependency / run_before names a migration that is not on disk (Django: NodeNotFoundError) */
  | 'missing-dependency'
  /** `__first__`/`__latest__` of an app that is not installed (Django: ValueError "Dependency on unknown app") */
  | 'unknown-app'
  /** `__first__`/`__latest__` of a migrated app without migrations (Django: ValueError) */
  | 'no-migrations'
  /** circular dependency (Django: CircularDependencyError) */
  | 'cycle'
  /** two migration files with the same app and name */
  | 'duplicate'
  /** a squash whose replacement node vanished (Django: NodeNotFoundError) */
  | 'replacement'
  /**
   * an applied migration whose dependency is not applied (Django's `migrate` refuses to run:
   * InconsistentMigrationHistory); `missing` is the unapplied dependency. The plan is still computed.
   */
  | 'inconsistent-history';

export interface GraphProblem {
  kind: GraphProblemKind;
  /** the migration whose dependencies / run_before / replaces hold the bad reference ("app.name") */
  migration: MigrationKey | null;
  /** file of `migration`, when known */
  path: string | null;
  /** 1-based line in `path`, when known (the graph does not know lines: always null for now) */
  line: number | null;
  /** the referenced key that is missing ("app.name"), for missing-dependency / unknown-app / no-migrations */
  missing?: MigrationKey;
  /** where the reference was written */
  via?: 'dependencies' | 'run_before' | 'replaces';
  /** cycle members in order (each depends on the previous one... and the first on the last) */
  cycle?: MigrationKey[];
  /**
   * missing-dependency only: squashes that replace the missing migration but could not be used because
   * only some of what they replace is applied (Django's #23556 message)
   */
  squashCandidates?: MigrationKey[];
  message: string;
}

export interface GraphOptions {
  /**
   * Labels of apps that have a migrations package (Django's `loader.migrated_apps`). Default: the apps of
   * `migrations`. A migrated app without migrations makes `__first__`/`__latest__` on it an error.
   */
  migratedApps?: Iterable<string>;
  /**
   * Labels of installed apps without migrations (`loader.unmigrated_apps`): `__first__`/`__latest__` on them
   * is ignored. When given, an app in neither list is unknown (Django's ValueError: reported, edge skipped);
   * when not given, nothing is known about the other apps and such references are ignored silently.
   */
  unmigratedApps?: Iterable<string>;
  /** Django's `replace_migrations` (default true) */
  replaceMigrations?: boolean;
  /** Django's `ignore_no_migrations` (default false, as `migrate` uses) */
  ignoreNoMigrations?: boolean;
}

export interface SquashUse {
  /** the squashed migration */
  key: MigrationKey;
  /** true when it is used (none or all of what it replaces applied), false when partially applied */
  used: boolean;
  /** counted as applied (everything it replaces is applied) */
  applied: boolean;
  replaces: MigrationKey[];
}

export interface BuiltGraph {
  graph: MigrationGraph;
  problems: GraphProblem[];
  /**
   * `loader.applied_migrations` after replacements: the applied keys given, plus squashes whose replaced
   * migrations are all applied, minus squashes that are not fully applied.
   */
  applied: Set<MigrationKey>;
  squashes: SquashUse[];
}

const FIRST = '__first__';
const LATEST = '__latest__';

/**
 * `buildGraph`/`migrationPlan` called with the same migrations array for several aliases reuse its
 * prepared graph: the array (and its elements) are treated as immutable once passed in.
 */
const preparedCache = new WeakMap<
  readonly MigrationFileInfo[],
  { sig: string; len: number; first: unknown; last: unknown; prepared: PreparedGraph }
>();

function optsSignature(opts: GraphOptions): string {
  const sorted = (x: Iterable<string> | undefined) => (x === undefined ? null : [...x].sort());
  return JSON.stringify([sorted(opts.migratedApps), sorted(opts.unmigratedApps), !!opts.ignoreNoMigrations]);
}

/** the last graph prepared (the migrations as given, a copy: the caller's array is not kept alive) */
let lastPrepared: { migrations: readonly MigrationFileInfo[]; sig: string; prepared: PreparedGraph } | null = null;

function preparedFor(migrations: readonly MigrationFileInfo[], opts: GraphOptions): PreparedGraph {
  const sig = optsSignature(opts);
  const hit = preparedCache.get(migrations);
  const first = migrations[0];
  const last = migrations[migrations.length - 1];
  if (hit && hit.sig === sig && hit.len === migrations.length && hit.first === first && hit.last === last) {
    return hit.prepared;
  }
  // an edit of some migrations' dependencies (the scan's index after one, issue 11): the last graph patched
  const prepared = (lastPrepared?.sig === sig ? prepareGraphAgain(lastPrepared.prepared, lastPrepared.migrations, migrations) : null)
    ?? prepareGraph(migrations, opts);
  preparedCache.set(migrations, { sig, len: migrations.length, first, last, prepared });
  lastPrepared = { migrations: migrations.slice(), sig, prepared };
  return prepared;
}

/**
 * `prepareGraph(migrations)` from the graph prepared for `before`, where `migrations` holds the same objects in the
 * same order except some that are the same migrations (app, name, path) with other dependencies: only their edges
 * are made again (a 3,000-migration graph is prepared in ~1 ms instead of ~8). A dependency on a migration that is
 * not on disk (half-typed, or a typo: what an edit of `dependencies` passes through) gets its dummy node as
 * `prepareGraph` makes it: dummies are ordered by the first dependency naming them (Django's internal pass, then the
 * external one, each in node order) and carry that migration as their origin. Null, to prepare it whole, where the
 * patch would have to know more: duplicates, run_before anywhere, replaces, `__latest__` or another app's `__first__`
 * in the edited ones (old or new), a problem of an edited migration, or an app whose first or last migration another
 * app's `__first__`/`__latest__` was resolved to.
 */
export function prepareGraphAgain(prev: PreparedGraph, before: readonly MigrationFileInfo[], migrations: readonly MigrationFileInfo[]): PreparedGraph | null {
  const real = migrations.length;
  if (before.length !== real || prev.runBefore || prev.disk.length !== real || prev.nodes.length < real) return null;
  const changed: number[] = [];
  const special = (m: MigrationFileInfo) => m.dependencies.some(d => d[1] === LATEST || (d[1] === FIRST && d[0] !== m.app));
  for (let i = 0; i < real; i++) {
    const a = before[i]!;
    const b = migrations[i]!;
    if (a === b) continue;
    // (an app whose roots or leaves another app's `__first__`/`__latest__` named: an edit may move them)
    if (a.app !== b.app || a.name !== b.name || a.path !== b.path || a.replaces.length || b.replaces.length || b.runBefore?.length || prev.resolvedApps.has(b.app)) return null;
    if (special(a) || special(b)) return null;
    changed.push(i);
  }
  if (!changed.length || changed.length > 8) return null;
  if (prev.problems.length) {
    // duplicates move node indexes; another migration's problems (unknown apps, apps without migrations) stay as they are
    const edited = new Set<MigrationKey | null>(changed.map(i => prev.nodes[i]!.key));
    if (prev.problems.some(p => p.kind === 'duplicate' || edited.has(p.migration))) return null;
  }
  // each edited migration's parents, in the order prepareGraph adds them: the app's own first (its `__first__`
  // ignored), then the others'; a number is a migration on disk (node index), a string a key that is not (a dummy)
  const parentsOf = new Map<number, (number | MigrationKey)[]>();
  /** what the edited migrations name that is not on disk: key → (app, name) */
  const missing = new Map<MigrationKey, readonly [string, string]>();
  for (const i of changed) {
    const m = migrations[i]!;
    const own: (number | MigrationKey)[] = [];
    const add = (d: readonly [string, string]) => {
      const key = keyOfRef(d);
      const j = prev.indexOf.get(key);
      const parent = j !== undefined && j < real ? j : key;
      if (typeof parent === 'string') missing.set(key, d);
      if (!own.includes(parent)) own.push(parent);
    };
    for (const d of m.dependencies) if (d[0] === m.app && d[1] !== FIRST) add(d);
    for (const d of m.dependencies) if (d[0] !== m.app) add(d);
    parentsOf.set(i, own);
  }
  const old = prev.edges;
  // a dummy node is a root and a leaf of its app: one of an app another app's `__first__`/`__latest__` named moves
  // those edges (the edited migrations' dummies, before and after)
  if (prev.resolvedApps.size) {
    for (const d of missing.values()) if (prev.resolvedApps.has(d[0])) return null;
    for (let k = 0; k < old.length; k += 2) {
      const p = old[k + 1]!;
      if (p >= real && parentsOf.has(old[k]!) && prev.resolvedApps.has(prev.nodes[p]!.app)) return null;
    }
  }
  // the dummies, ordered by the first reference to each (pass, child, position among the child's parents); edges
  // are grouped by child, in node order (a pass over them only when there are dummies, before or after the edit)
  const first = new Map<MigrationKey, { pass: number; child: number; pos: number; app: string; name: string }>();
  const note = (key: MigrationKey, child: number, pos: number, app: string, name: string) => {
    const pass = app === prev.nodes[child]!.app ? 0 : 1;
    const f = first.get(key);
    if (!f || pass < f.pass || (pass === f.pass && (child < f.child || (child === f.child && pos < f.pos)))) first.set(key, { pass, child, pos, app, name });
  };
  if (missing.size || prev.nodes.length > real) {
    for (let child = 0, e = 0; child < real; child++) {
      const start = e;
      while (e < old.length && old[e] === child) e += 2;
      const mine = parentsOf.get(child);
      if (mine) {
        mine.forEach((p, pos) => {
          const d = typeof p === 'string' ? missing.get(p)! : undefined;
          if (d) note(p as MigrationKey, child, pos, d[0], d[1]);
        });
      } else {
        for (let k = start; k < e; k += 2) {
          const p = old[k + 1]!;
          if (p >= real) note(prev.nodes[p]!.key, child, (k - start) / 2, prev.nodes[p]!.app, prev.nodes[p]!.name);
        }
      }
    }
  }
  const order = [...first].sort(([, a], [, b]) => a.pass - b.pass || a.child - b.child || a.pos - b.pos);
  const nodes = prev.nodes.slice(0, real);
  for (const i of changed) nodes[i] = { ...nodes[i]!, migration: migrations[i]! };
  const dummyIndex = new Map<MigrationKey, number>();
  for (const [key, f] of order) {
    dummyIndex.set(key, nodes.length);
    nodes.push({ app: f.app, name: f.name, key, migration: null, origin: prev.nodes[f.child]!.key });
  }
  // the edited children's groups replaced, the others' dummies at their new places
  const out: number[] = [];
  let e = 0;
  for (let child = 0; child < real; child++) {
    const start = e;
    while (e < old.length && old[e] === child) e += 2;
    const mine = parentsOf.get(child);
    if (mine) for (const p of mine) out.push(child, typeof p === 'string' ? dummyIndex.get(p)! : p);
    else {
      for (let k = start; k < e; k += 2) {
        const p = old[k + 1]!;
        out.push(child, p < real ? p : dummyIndex.get(prev.nodes[p]!.key)!);
      }
    }
  }
  if (e !== old.length) return null;
  // each node's index: the dummies' entries made again when they changed
  let indexOf = prev.indexOf;
  const same = order.length === prev.nodes.length - real && order.every(([key], k) => prev.nodes[real + k]!.key === key);
  if (!same) {
    const m = new Map(prev.indexOf);
    for (let k = real; k < prev.nodes.length; k++) m.delete(prev.nodes[k]!.key);
    for (const [key, j] of dummyIndex) m.set(key, j);
    indexOf = m;
  }
  return { ...prev, disk: migrations.slice(), nodes, edges: Int32Array.from(out), indexOf };
}

function isPrepared(x: readonly MigrationFileInfo[] | PreparedGraph): x is PreparedGraph {
  return !Array.isArray(x) && (x as PreparedGraph).kind === 'prepared-migration-graph';
}

function fmtKey(app: string, name: string): string {
  return `('${app}', '${name}')`;
}

/**
 * The part of `build_graph` that does not depend on the database: nodes, internal and external
 * dependencies, `__first__`/`__latest__`, run_before. Build it once and pass it to `buildGraph` /
 * `migrationPlan` for each alias.
 */
export interface PreparedGraph {
  readonly kind: 'prepared-migration-graph';
  /** disk migrations (duplicates dropped), in the order given */
  readonly disk: readonly MigrationFileInfo[];
  readonly replacements: readonly MigrationFileInfo[];
  readonly pathOf: ReadonlyMap<MigrationKey, string>;
  /** problems found while adding dependencies (duplicates, unknown apps, ...) */
  readonly problems: readonly GraphProblem[];
  /** nodes (dummies included) in insertion order */
  readonly nodes: readonly PreparedNode[];
  /** edges, flattened pairs of node indexes: child, parent, child, parent, ... */
  readonly edges: Int32Array;
  /** each node's index by key */
  readonly indexOf: ReadonlyMap<MigrationKey, number>;
  /** some migration has run_before (its edges are not its own dependencies: prepareGraphAgain does not patch) */
  readonly runBefore: boolean;
  /** the apps whose first or last migration a `__first__`/`__latest__` dependency of another app was resolved to */
  readonly resolvedApps: ReadonlySet<string>;
}

export interface PreparedNode {
  app: string;
  name: string;
  key: MigrationKey;
  migration: MigrationFileInfo | null;
  origin?: MigrationKey;
}

/**
 * Phase one of `MigrationLoader.build_graph()` (see `PreparedGraph`).
 * `migrations` should be in Django's `disk_migrations` order (INSTALLED_APPS order, then any order within
 * an app); it only matters for pathological graphs (overlapping squashes, same-app run_before).
 */
export function prepareGraph(migrations: readonly MigrationFileInfo[], opts: GraphOptions = {}): PreparedGraph {
  const graph = new MigrationGraph();
  const problems: GraphProblem[] = [];
  const pathOf = new Map<MigrationKey, string>();

  // disk_migrations: dict keyed by (app, name), first one wins here (Django's import would pick one).
  const disk: MigrationFileInfo[] = [];
  for (const m of migrations) {
    const key = keyOfMigration(m);
    if (pathOf.has(key)) {
      problems.push({
        line: null,
        kind: 'duplicate',
        migration: key,
        path: m.path,
        message: `Migration ${key} is defined twice (${pathOf.get(key)} and ${m.path}); the second is ignored`,
      });
      continue;
    }
    pathOf.set(key, m.path);
    disk.push(m);
  }

  const migratedApps = new Set<string>(opts.migratedApps ?? []);
  for (const m of disk) migratedApps.add(m.app);
  const unmigratedApps = new Set<string>(opts.unmigratedApps ?? []);
  const strictApps = opts.unmigratedApps !== undefined;
  const ignoreNoMigrations = opts.ignoreNoMigrations ?? false;

  const replacements: MigrationFileInfo[] = [];
  for (const m of disk) {
    graph.addNode(m.app, m.name, m, keyOfMigration(m));
    if (m.replaces.length) replacements.push(m);
  }

  // add_internal_dependencies
  for (const m of disk) {
    const key = keyOfMigration(m);
    for (const parent of m.dependencies) {
      if (parent[0] === m.app && parent[1] !== FIRST) graph.addDependency(key, [m.app, m.name], parent, key, keyOfRef(parent));
    }
  }

  // (the apps a `__first__`/`__latest__` is resolved in: their roots and leaves decide other apps' edges)
  const resolvedApps = new Set<string>();
  // check_key; undefined = ignore the reference
  const checkKey = (
    ref: [string, string],
    currentApp: string,
    origin: MigrationFileInfo,
    via: 'dependencies' | 'run_before',
  ): [string, string] | undefined => {
    if ((ref[1] !== FIRST && ref[1] !== LATEST) || graph.has(keyOfRef(ref))) return ref;
    if (ref[0] === currentApp) return undefined;
    if (unmigratedApps.has(ref[0]) && !migratedApps.has(ref[0])) return undefined; // Django checks this first
    const originKey = keyOfMigration(origin);
    if (migratedApps.has(ref[0])) {
      resolvedApps.add(ref[0]);
      const nodes = ref[1] === FIRST ? graph.rootNodeObjs(ref[0]) : graph.leafNodeObjs(ref[0]);
      const first = nodes[0];
      if (first) return [first.app, first.name];
      if (ignoreNoMigrations) return undefined;
      problems.push({
        line: null,
        kind: 'no-migrations',
        migration: originKey,
        path: origin.path,
        missing: migrationKey(ref[0], ref[1]),
        via,
        message: `Migration ${originKey}: dependency on app with no migrations: ${ref[0]}`,
      });
      return undefined;
    }
    if (!strictApps) return undefined;
    problems.push({
      line: null,
      kind: 'unknown-app',
      migration: originKey,
      path: origin.path,
      missing: migrationKey(ref[0], ref[1]),
      via,
      message: `Migration ${originKey}: dependency on unknown app: ${ref[0]}`,
    });
    return undefined;
  };

  // add_external_dependencies
  for (const m of disk) {
    const key = keyOfMigration(m);
    for (const dep of m.dependencies) {
      if (dep[0] === m.app) continue;
      const parent = checkKey(dep, m.app, m, 'dependencies');
      if (parent) graph.addDependency(key, [m.app, m.name], parent, key, keyOfRef(parent));
    }
    for (const rb of m.runBefore ?? []) {
      const child = checkKey(rb, m.app, m, 'run_before');
      if (child) graph.addDependency(key, child, [m.app, m.name], keyOfRef(child), key);
    }
  }

  // No node is removed in this phase, so idx is the position in nodeMap order.
  const nodes: PreparedNode[] = [];
  const indexOf = new Map<MigrationKey, number>();
  for (const n of graph.nodeMap.values()) {
    indexOf.set(n.key, nodes.length);
    nodes.push({ app: n.app, name: n.name, key: n.key, migration: n.migration, origin: n.origin });
  }
  const edges = new Int32Array(graph.edgeCount() * 2);
  let e = 0;
  for (const n of graph.nodeMap.values()) {
    for (const p of n.parents) {
      edges[e++] = n.idx;
      edges[e++] = p.idx;
    }
  }
  const runBefore = disk.some(m => m.runBefore?.length);
  return { kind: 'prepared-migration-graph', disk, replacements, pathOf, problems, nodes, edges, indexOf, runBefore, resolvedApps };
}

/**
 * `MigrationLoader.build_graph()` for migrations already read from disk (or prepared once with
 * `prepareGraph`) and the applied keys of one database (an empty set = Django's `MigrationLoader(None)`),
 * followed by `validate_consistency`, `ensure_not_cyclic` and `check_consistent_history`, which here report
 * problems instead of raising. Dummy nodes (missing dependencies) are removed from the returned graph after
 * they are reported.
 */
export function buildGraph(
  migrations: readonly MigrationFileInfo[] | PreparedGraph,
  appliedKeys: ReadonlySet<MigrationKey> = new Set(),
  opts: GraphOptions = {},
): BuiltGraph {
  const prepared = isPrepared(migrations) ? migrations : preparedFor(migrations, opts);
  const { replacements, pathOf } = prepared;
  const problems: GraphProblem[] = prepared.problems.slice();
  const replaceMigrations = opts.replaceMigrations ?? true;
  const graph = new MigrationGraph();
  const nodes: GraphNode[] = [];
  for (const spec of prepared.nodes) {
    nodes.push(
      spec.migration
        ? graph.addNode(spec.app, spec.name, spec.migration, spec.key)
        : graph.addDummyNode(spec.app, spec.name, spec.origin ?? '', spec.key),
    );
  }
  const edges = prepared.edges;
  for (let i = 0; i < edges.length; i += 2) graph.linkNew(nodes[edges[i + 1]!]!, nodes[edges[i]!]!);

  // replacements
  const applied = new Set<MigrationKey>(appliedKeys);
  const squashes: SquashUse[] = [];
  if (replaceMigrations) {
    for (const m of replacements) {
      const key = migrationKey(m.app, m.name);
      const replaced = m.replaces.map(([a, n]) => migrationKey(a, n));
      let all = true;
      let any = false;
      for (const r of replaced) {
        if (applied.has(r)) any = true;
        else all = false;
      }
      if (all) applied.add(key);
      else applied.delete(key);
      const used = all || !any;
      const ok = used ? graph.removeReplacedNodes(key, replaced) : graph.removeReplacementNode(key, replaced);
      squashes.push({ key, used, applied: all, replaces: replaced });
      if (!ok) {
        problems.push({
          line: null,
          kind: 'replacement',
          migration: key,
          path: m.path,
          via: 'replaces',
          message: used
            ? `Unable to find replacement node ${fmtKey(m.app, m.name)}. It was either never added to the migration graph, or has been removed.`
            : `Unable to remove replacement node ${fmtKey(m.app, m.name)}. It was either never added to the migration graph, or has been removed already.`,
        });
      }
    }
  }

  // validate_consistency: report every dummy node left, then drop it (and its edges)
  const dummies = graph.dummyNodes();
  if (dummies.length) {
    const reverseReplacements = new Map<MigrationKey, MigrationKey[]>();
    for (const m of replacements) {
      for (const [a, n] of m.replaces) {
        const rk = migrationKey(a, n);
        let l = reverseReplacements.get(rk);
        if (!l) reverseReplacements.set(rk, (l = []));
        const sk = migrationKey(m.app, m.name);
        if (!l.includes(sk)) l.push(sk);
      }
    }
    for (const d of dummies) {
      const candidates = reverseReplacements.get(d.key);
      const unusable = candidates && !candidates.some((c) => graph.has(c)) ? candidates : undefined;
      const refs: { key: MigrationKey; via: 'dependencies' | 'run_before' }[] = [];
      for (const c of sortNodes(d.children)) if (c.migration) refs.push({ key: c.key, via: 'dependencies' });
      for (const p of sortNodes(d.parents)) if (p.migration) refs.push({ key: p.key, via: 'run_before' });
      if (!refs.length && d.origin) refs.push({ key: d.origin, via: 'dependencies' });
      for (const r of refs) {
        const what =
          r.via === 'dependencies'
            ? 'dependencies reference nonexistent parent node'
            : 'run_before references nonexistent node';
        let message = `Migration ${r.key} ${what} ${fmtKey(d.app, d.name)}`;
        if (unusable) {
          message += `. Django tried to replace migration ${d.key} with any of [${unusable.join(', ')}] but wasn't able to because some of the replaced migrations are already applied.`;
        }
        problems.push({
          line: null,
          kind: 'missing-dependency',
          migration: r.key,
          path: pathOf.get(r.key) ?? null,
          missing: d.key,
          via: r.via,
          ...(unusable ? { squashCandidates: unusable.slice() } : {}),
          message,
        });
      }
      graph.removeNode(d.key);
    }
  }

  // ensure_not_cyclic: report every strongly connected component with a cycle
  for (const cycle of findCycles(graph)) {
    const head = cycle[0] ?? null;
    const first = head === null ? undefined : graph.get(head);
    problems.push({
      line: null,
      kind: 'cycle',
      migration: head,
      path: first?.migration?.path ?? null,
      cycle,
      message: `Circular dependency: ${cycle.join(', ')}`,
    });
  }

  // check_consistent_history (what `migrate` checks before planning), against the rows as recorded
  if (appliedKeys.size) {
    const replacementOf = new Map<MigrationKey, MigrationKey[]>();
    for (const m of replacements) replacementOf.set(migrationKey(m.app, m.name), m.replaces.map(([a, n]) => migrationKey(a, n)));
    for (const k of appliedKeys) {
      const node = graph.get(k);
      if (!node) continue;
      for (const parent of sortNodes(node.parents)) {
        if (appliedKeys.has(parent.key)) continue;
        const rep = replacementOf.get(parent.key);
        if (rep && rep.every((r) => appliedKeys.has(r))) continue;
        problems.push({
          line: null,
          kind: 'inconsistent-history',
          migration: k,
          path: pathOf.get(k) ?? null,
          missing: parent.key,
          via: 'dependencies',
          message: `Migration ${k} is applied before its dependency ${parent.key}`,
        });
      }
    }
  }

  return { graph, problems, applied, squashes };
}

/**
 * One cycle per strongly connected component that has one (Tarjan, iterative), as a path of keys where each
 * is a child (dependant) of the previous, starting at the smallest key of the component.
 */
function findCycles(graph: MigrationGraph): MigrationKey[][] {
  // Kahn first (cheap): when every node can be ordered there is no cycle.
  const indeg = new Int32Array(graph.created);
  const queue: GraphNode[] = [];
  for (const n of graph.nodeMap.values()) {
    indeg[n.idx] = n.parents.length;
    if (!n.parents.length) queue.push(n);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    for (const c of queue[qi]!.children) if ((indeg[c.idx] = indeg[c.idx]! - 1) === 0) queue.push(c);
  }
  if (queue.length === graph.size) return [];

  const index = new Map<GraphNode, number>();
  const low = new Map<GraphNode, number>();
  const onStack = new Set<GraphNode>();
  const stack: GraphNode[] = [];
  const sccs: GraphNode[][] = [];
  let counter = 0;
  for (const root of graph.nodeMap.values()) {
    if (index.has(root)) continue;
    const work: { node: GraphNode; it: Iterator<GraphNode> }[] = [];
    const visit = (n: GraphNode) => {
      index.set(n, counter);
      low.set(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, it: n.children[Symbol.iterator]() });
    };
    visit(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const r = top.it.next();
      if (!r.done) {
        const c = r.value;
        if (!index.has(c)) visit(c);
        else if (onStack.has(c)) low.set(top.node, Math.min(low.get(top.node)!, index.get(c)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const comp: GraphNode[] = [];
        let x: GraphNode;
        do {
          x = stack.pop()!;
          onStack.delete(x);
          comp.push(x);
        } while (x !== top.node);
        if (comp.length > 1 || top.node.children.includes(top.node)) sccs.push(comp);
      }
    }
  }
  const out: MigrationKey[][] = [];
  for (const comp of sccs) {
    const members = new Set(comp);
    const start = sortNodes(comp)[0]!;
    // shortest path start -> ... -> start through children inside the component (BFS)
    const prev = new Map<GraphNode, GraphNode>();
    const queue: GraphNode[] = [start];
    let end: GraphNode | null = null;
    for (let qi = 0; qi < queue.length && !end; qi++) {
      const n = queue[qi]!;
      for (const c of sortNodes(n.children)) {
        if (!members.has(c)) continue;
        if (c === start) {
          end = n;
          break;
        }
        if (!prev.has(c)) {
          prev.set(c, n);
          queue.push(c);
        }
      }
    }
    const path: GraphNode[] = [];
    for (let n: GraphNode | undefined = end ?? start; n && n !== start; n = prev.get(n)) path.push(n);
    path.push(start);
    path.reverse();
    out.push(path.map((n) => n.key));
  }
  out.sort((a, b) => comparePyStr(a[0] ?? "", b[0] ?? ""));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Executor

export interface MigrationPlan extends BuiltGraph {
  /** "app.name" of what `manage.py migrate --database=<alias>` would apply now, in Django's order */
  plan: MigrationKey[];
}

/**
 * `MigrationExecutor(connection).migration_plan(loader.graph.leaf_nodes())`, forward direction, for a
 * database whose `django_migrations` rows are `appliedKeys`. Leaf targets are never applied-and-replaced, so
 * the backwards branches of Django's method cannot trigger here.
 */
export function migrationPlan(
  migrations: readonly MigrationFileInfo[] | PreparedGraph,
  appliedKeys: ReadonlySet<MigrationKey> = new Set(),
  opts: GraphOptions = {},
): MigrationPlan {
  const built = buildGraph(migrations, appliedKeys, opts);
  const cyclic = built.problems.some((p) => p.kind === 'cycle');
  return { ...built, plan: planForGraph(built.graph, built.applied, cyclic) };
}

/**
 * The forward plan to the graph's leaf nodes for an (already squash-adjusted) applied set: for each leaf in
 * sorted order that is not applied, its `forwards_plan` minus what is applied or planned already. (An applied
 * leaf takes Django's backwards branch, which for a leaf has nothing to unapply.)
 *
 * `cyclic`: also plan unapplied nodes no leaf reaches (only a cycle inside an app can leave such nodes).
 */
export function planForGraph(
  graph: MigrationGraph,
  applied: ReadonlySet<MigrationKey>,
  cyclic = false,
): MigrationKey[] {
  const state = new Uint8Array(graph.created);
  const emit = (n: GraphNode) => (applied.has(n.key) ? undefined : n.key);
  const targets = graph.leafNodeObjs().filter((n) => !applied.has(n.key));
  const plan = iterativeDfs(graph, targets, true, emit, state);
  if (cyclic) {
    const rest = [...graph.nodeMap.values()]
      .filter((n) => state[n.idx] !== 2 && !applied.has(n.key))
      .sort(compareNodes);
    plan.push(...iterativeDfs(graph, rest, true, emit, state));
  }
  return plan;
}

export interface MigrationConflict {
  app: string;
  /** names of the app's leaf migrations, sorted */
  names: string[];
  /** the same as "app.name" */
  keys: MigrationKey[];
}

/**
 * `MigrationLoader.detect_conflicts()`: app label -> sorted names of its leaf migrations, for apps with more
 * than one leaf after replacements (keys in sorted order). `appliedKeys` defaults to none (as `makemigrations`
 * loads); `migrate` uses the database's applied set.
 */
export function detectConflicts(
  migrations: readonly MigrationFileInfo[] | PreparedGraph,
  appliedKeys: ReadonlySet<MigrationKey> = new Set(),
  opts: GraphOptions = {},
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of conflictsInGraph(buildGraph(migrations, appliedKeys, opts).graph)) out[c.app] = c.names;
  return out;
}

/** The same as `detectConflicts`, as a list sorted by app, for an already built graph. */
export function conflictsInGraph(graph: MigrationGraph): MigrationConflict[] {
  const byApp = new Map<string, GraphNode[]>();
  for (const n of graph.leafNodeObjs()) {
    let l = byApp.get(n.app);
    if (!l) byApp.set(n.app, (l = []));
    l.push(n);
  }
  const out: MigrationConflict[] = [];
  for (const [app, nodes] of byApp) {
    if (nodes.length < 2) continue;
    const names = [...new Set(nodes.map((n) => n.name))].sort(comparePyStr);
    out.push({ app, names, keys: names.map((n) => migrationKey(app, n)) });
  }
  return out.sort((a, b) => comparePyStr(a.app, b.app));
}
