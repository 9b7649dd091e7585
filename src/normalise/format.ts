/**
 * What a format module is, and `defineFormat`, which builds one from declarations:
 * detection score, cheap per-record signature, source paths per canonical field, an optional
 * `post` step for what cannot be declared (derived auth outcome, CloudTrail action...), and an
 * optional `setAside` for records the format knows and does not count (see FormatModule.setAside).
 */
import { CANONICAL_FIELDS, blankEvent, type ApiEvent, type CanonicalField } from './event.js';
import { compilePath, type Getter, type Rec } from './get.js';
import { compileSpec, describeSources, runFields, sourceFor, type Ev, type SourceSpec } from './spec.js';

/** Per-file, per-format state (the flat format keeps the alias keys it resolved from the sample here). */
export interface MapContext {
  state: unknown;
}

export interface FormatModule {
  readonly id: string;
  readonly title: string;
  /** Human description of the detection keys. */
  readonly detectKeys: string;
  /** Which source path feeds each canonical field (human-readable). */
  readonly fields: Partial<Record<CanonicalField, string>>;
  /** Machine-readable source paths per field, in priority order ("path" or "path|modifier"). */
  readonly sources: SourceSpec;
  /** How much this record looks like the format: 0..1; 0.5 or more is a vote. */
  detect(rec: Rec): number;
  /** The mapped fields, or null when the record lacks the format's signature. */
  map(rec: Rec, ctx: MapContext): Partial<ApiEvent> | null;
  /** Compiles per-file state from the detection sample. */
  prepare?(sample: readonly Rec[]): unknown;
  /**
   * A record of this format that is known and deliberately not counted (Caddy's own startup and
   * TLS messages, django-structlog's request_started, logged before the request_finished that is
   * counted): one line saying why, or undefined. The normaliser asks when `map` returned null,
   * before offering the record to other formats, so a set-aside record is never mapped by
   * another one (the flat alias table would read request_started as a second request). Such
   * records are counted as skipped (reason `set-aside`) but not raised as issues: they are
   * expected, and listing each would bury the records that really did not map.
   */
  setAside?(rec: Rec, ctx: MapContext): string | undefined;
  /** Which source path fed each field present in `ev` (for `apilog formats detect`). */
  explain(rec: Rec, ctx: MapContext, ev: Partial<ApiEvent>): Partial<Record<CanonicalField, string>>;
}

export interface FormatDef {
  id: string;
  title: string;
  detectKeys: string;
  sources: SourceSpec;
  /** Shorter source lists for `fields` when `sources` repeats each name in several places (OTel). */
  docSources?: SourceSpec;
  /** Extra words for `fields` (derived values that `post` sets). */
  notes?: Partial<Record<CanonicalField, string>>;
  detect(rec: Rec): number;
  /** Cheap signature check on the hot path; defaults to detect(rec) >= 0.5. */
  accepts?(rec: Rec): boolean;
  /** `ctx.state` is this file's, for formats that carry something from one record to the next (undefined at first). */
  post?(rec: Rec, ev: Ev, ctx: MapContext): void;
  /** See FormatModule.setAside. */
  setAside?(rec: Rec, ctx: MapContext): string | undefined;
  /** Source paths of the fields `post` set, for `explain` (describe). */
  explainPost?(rec: Rec, ev: Ev): Partial<Record<CanonicalField, string>>;
  /** Unwraps a format-specific envelope (EventBridge `detail`, OTLP attribute arrays) before mapping. */
  root?(rec: Rec): Rec;
}

export function fieldDocs(sources: SourceSpec, notes?: Partial<Record<CanonicalField, string>>): Partial<Record<CanonicalField, string>> {
  const out: Partial<Record<CanonicalField, string>> = {};
  for (const f of CANONICAL_FIELDS) {
    const d = describeSources(sources[f], notes?.[f]);
    if (d !== undefined) out[f] = d;
  }
  return out;
}

export function defineFormat(def: FormatDef): FormatModule {
  const compiled = compileSpec(def.sources);
  const accepts = def.accepts ?? ((rec: Rec) => def.detect(rec) >= 0.5);
  const post = def.post;
  const root = def.root;
  const setAside = def.setAside;
  return {
    id: def.id,
    title: def.title,
    detectKeys: def.detectKeys,
    fields: fieldDocs(def.docSources ?? def.sources, def.notes),
    sources: def.sources,
    detect: def.detect,
    map(input, ctx) {
      const rec = root === undefined ? input : root(input);
      if (!accepts(rec)) return null;
      const ev: Ev = blankEvent();
      runFields(rec, compiled, ev);
      if (post !== undefined) post(rec, ev, ctx);
      return ev;
    },
    ...(setAside === undefined ? {} : { setAside: (input: Rec, ctx: MapContext) => setAside(root === undefined ? input : root(input), ctx) }),
    explain(input, _ctx, ev) {
      const rec = root === undefined ? input : root(input);
      const out: Partial<Record<CanonicalField, string>> = {};
      for (const cf of compiled) {
        if (ev[cf.field] === undefined) continue;
        const s = sourceFor(rec, cf.sources);
        if (s !== undefined) out[cf.field] = s.path;
      }
      if (def.explainPost !== undefined) {
        const extra = def.explainPost(rec, ev);
        for (const f of CANONICAL_FIELDS) {
          const p = extra[f];
          if (p !== undefined && ev[f] !== undefined) out[f] = p;
        }
      }
      return out;
    },
  };
}

/** Getters for detection code: `const k = keys('a', 'b.c'); k.a(rec)`. */
export function getters<K extends string>(...paths: K[]): Record<K, Getter> {
  const out = {} as Record<K, Getter>;
  for (const p of paths) out[p] = compilePath(p);
  return out;
}

export function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== '-';
}
