// How long the edits of this session took to show (issue 11): from the moment the extension saw an edit of a Python
// file to the diagnostics that read it, in the editors first and then in every file. Kept per project for the
// "Show Analysis Status" document, as a language server's status page tells its users what feedback they get.

/** One edit: when it was seen, and how long until the diagnostics that read it were set. */
export interface EditSample {
  /** when the edit was seen (Date.now()) */
  at: number;
  /** until the diagnostics of the files in the editors were set (null: no file of the project was in an editor) */
  editorMs: number | null;
  /** until the diagnostics of every file were set */
  allMs: number;
}

export interface Percentiles { p50: number; p95: number; max: number }

export interface LatencySummary {
  /** edits counted (the last `keep` of the session) */
  n: number;
  editor: Percentiles | null;
  all: Percentiles;
  last: EditSample;
}

/** The `p`-quantile of sorted `xs` (nearest rank), as the benchmarks count it. */
export function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function percentiles(xs: readonly number[]): Percentiles | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1]! };
}

export class EditLatencies {
  private readonly samples: EditSample[] = [];
  /** the last edit counted: an edit is counted once, by the first update that read it */
  private counted = 0;

  constructor(private readonly keep = 200) {}

  /**
   * A diagnostics update ended at `doneAt` (its editors' part at `editorAt`, if it had one). It counts for the last
   * edit seen (`editSeenAt`) when the index it showed was asked for at or after that edit (`indexAskedAt`): an update
   * of an index asked before the edit (a burst's earlier keystroke, a database read) does not read it. Returns the
   * sample counted, if any.
   */
  record(editSeenAt: number | undefined, indexAskedAt: number | undefined, editorAt: number | undefined, doneAt: number): EditSample | undefined {
    if (editSeenAt === undefined || indexAskedAt === undefined || editSeenAt <= this.counted || indexAskedAt < editSeenAt || doneAt < editSeenAt) return undefined;
    this.counted = editSeenAt;
    const sample: EditSample = { at: editSeenAt, editorMs: editorAt !== undefined && editorAt >= editSeenAt ? editorAt - editSeenAt : null, allMs: doneAt - editSeenAt };
    this.samples.push(sample);
    if (this.samples.length > this.keep) this.samples.splice(0, this.samples.length - this.keep);
    return sample;
  }

  summary(): LatencySummary | null {
    const last = this.samples[this.samples.length - 1];
    if (!last) return null;
    return {
      n: this.samples.length,
      editor: percentiles(this.samples.flatMap(s => (s.editorMs === null ? [] : [s.editorMs]))),
      all: percentiles(this.samples.map(s => s.allMs))!,
      last,
    };
  }
}
