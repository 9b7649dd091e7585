/** Evidence helpers: samples, subjects, severities and readable figures. */
import type { EnrichedEvent } from '../../enrich/types.js';
import { severityRank, type EvidenceSample, type Severity, type Subject } from '../types.js';
import { redactString } from '../../hygiene/redact.js';

/** The fields a sample is made of (an EnrichedEvent has them all). */
export type SampleSource = Pick<EnrichedEvent, 'ts' | 'source' | 'method' | 'path' | 'status' | 'ip' | 'requestId' | 'apiKey'>;

export function sampleOf(e: SampleSource, note?: string): EvidenceSample {
  const s: EvidenceSample = { time: e.ts, file: e.source.file, line: e.source.line };
  if (e.source.record !== undefined) s.record = e.source.record;
  if (e.requestId !== undefined) s.requestId = e.requestId;
  if (e.method !== undefined) s.method = e.method;
  if (e.path !== undefined) s.path = e.path;
  if (e.status !== undefined) s.status = e.status;
  if (e.ip !== undefined) s.ip = e.ip;
  if (e.apiKey !== undefined) s.apiKey = e.apiKey;
  if (note !== undefined) s.note = note;
  return s;
}

/** What a tail sample is made of, kept in a reused slot until list() makes the sample. */
interface SampleSlot {
  ts: number;
  source: SampleSource['source'];
  requestId: string | undefined;
  method: string | undefined;
  path: string | undefined;
  status: number | undefined;
  ip: string | undefined;
  apiKey: string | undefined;
  note: string | undefined;
}

function fillSlot(slot: SampleSlot, e: SampleSource, note: string | undefined): void {
  slot.ts = e.ts;
  slot.source = e.source;
  slot.requestId = e.requestId;
  slot.method = e.method;
  slot.path = e.path;
  slot.status = e.status;
  slot.ip = e.ip;
  slot.apiKey = e.apiKey;
  slot.note = note;
}

/** The sample sampleOf would have made when the slot was filled. */
function slotSample(x: SampleSlot): EvidenceSample {
  return sampleOf({ ts: x.ts, source: x.source, requestId: x.requestId, method: x.method, path: x.path, status: x.status, ip: x.ip, apiKey: x.apiKey }, x.note);
}

/**
 * Keeps the first `head` and the last `tail` samples offered, cheaply: requests in a long incident
 * are all offered and mostly overwritten, so the tail keeps their fields in reused slots rather
 * than a new sample per request.
 */
export class Samples {
  private readonly first: EvidenceSample[] = [];
  private readonly last: SampleSlot[] = [];
  private pos = 0;
  constructor(
    private readonly head = 5,
    private readonly tail = 5,
  ) {}
  add(e: SampleSource, note?: string): void {
    if (this.first.length < this.head) {
      this.first.push(sampleOf(e, note));
      return;
    }
    if (this.last.length < this.tail) {
      const slot: SampleSlot = { ts: NaN, source: { file: '', line: 0 }, requestId: undefined, method: undefined, path: undefined, status: undefined, ip: undefined, apiKey: undefined, note: undefined };
      fillSlot(slot, e, note);
      this.last.push(slot);
    } else fillSlot(this.last[this.pos]!, e, note);
    this.pos = (this.pos + 1) % this.tail;
  }
  /** The kept samples in time order; `keep` (e.g. the success after an attack) always stays in, within `max`. */
  list(keep: EvidenceSample[] = [], max = 10): EvidenceSample[] {
    const ring = this.last.length < this.tail ? this.last : [...this.last.slice(this.pos), ...this.last.slice(0, this.pos)];
    const rest = [...this.first, ...ring.map(slotSample)];
    const room = Math.max(0, max - keep.length);
    const head = Math.ceil(room / 2);
    const picked = rest.length <= room ? rest : [...rest.slice(0, head), ...rest.slice(rest.length - (room - head))];
    return [...keep.slice(0, max), ...picked].sort((a, b) => a.time - b.time);
  }
}

/** Subject from an actor key ("user:x" / "key:x" / "ip:x"). */
export function subjectOfActor(actor: string): Subject {
  const i = actor.indexOf(':');
  const kind = actor.slice(0, i);
  const id = actor.slice(i + 1);
  if (kind === 'user') return { user: id };
  if (kind === 'key') return { apiKey: id };
  return { ip: id };
}

/**
 * Human name of an actor key: "user 101", "API key k1", "IP 1.2.3.4". A key is masked as the
 * alert's subject is on output (`API key k7q…[REDACTED api-key len=10 sha256:7cd970b3]`): the
 * summary had printed in full the key its subject masks.
 */
export function actorName(actor: string): string {
  const i = actor.indexOf(':');
  const kind = actor.slice(0, i);
  const id = actor.slice(i + 1);
  return kind === 'user' ? `user ${id}` : kind === 'key' ? `API key ${redactString(id, 'apiKey').value}` : `IP ${id}`;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

export function minSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  // Computed with 1024, so labelled with binary units (docs/output.md, Sizes).
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  const m = s / 60;
  if (m < 90) return `${Math.round(m)} min`;
  const h = m / 60;
  return h < 48 ? `${h.toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Count map -> sorted top-N object for evidence. */
export function topCounts(m: Map<string, number>, n = 5): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n)) out[k] = v;
  return compactCounts(out);
}

/**
 * `record`, stored compactly when it has integer-like keys. V8 keeps such keys ("404") as array
 * elements: assigned one by one, or copied between threads, {"200": 3, "404": 2} takes about 600
 * slots (5 KB); parsed from JSON, it is a small dictionary (0.2 KB). Alerts live until the report,
 * and on a 5 GB log their status counts grew to a tenth of the live heap. Only records of finite
 * numbers are rebuilt, so the copy is exact (same keys, values and order).
 */
export function compactCounts<T extends Record<string, unknown>>(record: T): T {
  let indexKeys = false;
  for (const k in record) {
    const v = record[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return record;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57) indexKeys = true;
  }
  return indexKeys ? (JSON.parse(JSON.stringify(record)) as T) : record;
}

/** compactCounts on each record of an alert's evidence, in place (alerts copied between threads). */
export function compactEvidence(evidence: Record<string, unknown>): void {
  for (const k of Object.keys(evidence)) {
    const v = evidence[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) evidence[k] = compactCounts(v as Record<string, unknown>);
  }
}

export function bump(m: Map<string, number>, k: string, by = 1, cap = 10_000): void {
  const v = m.get(k);
  if (v !== undefined) m.set(k, v + by);
  else if (m.size < cap) m.set(k, by);
}
