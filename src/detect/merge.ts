/**
 * Incident merging: alerts of one rule about one subject whose spans overlap or lie within the rule's
 * gap become one alert (max severity, union of samples, figures from the strongest).
 */
import { severityRank, type Alert, type EvidenceSample, type Subject } from './types.js';

export const MAX_SAMPLES = 10;

const SUBJECT_KEYS: ReadonlyArray<keyof Subject> = ['user', 'apiKey', 'ip', 'userAgent', 'session', 'route', 'field'];

export function subjectKey(s: Subject): string {
  let k = '';
  for (const f of SUBJECT_KEYS) if (s[f] !== undefined) k += `${f}=${s[f]}\u0000`;
  return k;
}

function sampleKey(s: EvidenceSample): string {
  return `${s.file}\u0000${s.line}\u0000${s.record ?? 1}\u0000${s.time}`;
}

/** Keep at most `max` samples: the earliest and the latest halves, in time order, without duplicates. */
export function capSamples(samples: EvidenceSample[], max = MAX_SAMPLES): EvidenceSample[] {
  const seen = new Set<string>();
  const uniq = samples
    .filter((s) => {
      const k = sampleKey(s);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.time - b.time || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  if (uniq.length <= max) return uniq;
  const head = Math.ceil(max / 2);
  return [...uniq.slice(0, head), ...uniq.slice(uniq.length - (max - head))];
}

function stronger(a: Alert, b: Alert): Alert {
  const d = severityRank(b.severity) - severityRank(a.severity);
  if (d !== 0) return d > 0 ? b : a;
  const span = b.end - b.start - (a.end - a.start);
  if (span !== 0) return span > 0 ? b : a;
  // Of equal spans, a line said while its incident was under way (live: evidence.open) gives way
  // to the incident as it closed, whose figures and words are final.
  return a.evidence.open === true && b.evidence.open !== true ? b : a;
}

/** Merge alerts per (rule, subject); `gapFor(rule)` is how far apart two spans may be and still merge. */
export function mergeAlerts(alerts: Alert[], gapFor: (rule: string) => number): Alert[] {
  const groups = new Map<string, Alert[]>();
  for (const a of alerts) {
    const k = `${a.rule}\u0001${subjectKey(a.subject)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(a);
  }
  const out: Alert[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a.start - b.start || a.end - b.end);
    const gap = gapFor(g[0]!.rule);
    let cur = g[0]!;
    let parts = 1;
    const flush = (): void => {
      if (parts > 1) cur = { ...cur, evidence: { ...cur.evidence, mergedAlerts: parts } };
      out.push(cur);
    };
    for (let i = 1; i < g.length; i++) {
      const next = g[i]!;
      if (next.start <= cur.end + gap) {
        const best = stronger(cur, next);
        cur = {
          ...best,
          start: Math.min(cur.start, next.start),
          end: Math.max(cur.end, next.end),
          evidence: { ...best.evidence, samples: capSamples([...cur.evidence.samples, ...next.evidence.samples]) },
        };
        parts++;
      } else {
        flush();
        cur = next;
        parts = 1;
      }
    }
    flush();
  }
  return out.sort(compareAlerts);
}

/** The order of merged alerts: by start, then rule, then subject. */
export function compareAlerts(a: Alert, b: Alert): number {
  return a.start - b.start || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (subjectKey(a.subject) < subjectKey(b.subject) ? -1 : 1);
}
