/**
 * `apilog explain`: the full ten-question walk-through of one entry, as JSON (EntryRecord) and
 * as prose a responder can paste into a ticket. Also the helpers the CLI uses to find the entry
 * (by request id or FILE:LINE) and judge it against everything before it while streaming.
 */
import path from 'node:path';
import { lineRef } from '../ingest/types.js';
import type { EnrichedEvent, GeoLookup } from '../enrich/types.js';
import type { RuleSet } from '../rules/types.js';
import type { Baseline } from '../baseline/types.js';
import type { AlertRecord, ChecklistQuestion, EntryRecord } from '../report/records.js';
import { CHECKLIST_QUESTIONS } from '../report/records.js';
import { answerContext, completeRecord, joinAlerts, keptFrom, resolveOptions } from './checklist.js';
import type { ChecklistOptions } from './options.js';
import { createTracker, type Observation, type Tracker } from './tracker.js';

export interface ExplainContext {
  rules: RuleSet;
  geo: GeoLookup;
  baseline?: Baseline;
  tz: string;
  /** The detectors' alerts over the whole input; absent, question 8 says it was not judged. */
  alerts?: AlertRecord[];
  /** Why there are no alerts to join (said in question 8), e.g. "--no-alerts was given". */
  notJudged?: string;
  /** The actor's events around the entry (others are ignored); those before it give the rate, streak and novelty. */
  neighbours: EnrichedEvent[];
  options?: Partial<ChecklistOptions>;
}

/** The questions as a responder asks them, for the prose. */
export const QUESTION_TITLES: Readonly<Record<ChecklistQuestion, string>> = Object.freeze({
  who: 'Who accessed the API?',
  when: 'When did the access occur?',
  where: 'From where was the API accessed?',
  what: 'What data was accessed?',
  howOften: 'How frequently was the API accessed?',
  modifications: 'Were any modifications made?',
  status: 'What was the response status?',
  pattern: 'Is there a pattern or anomaly?',
  permissions: 'What permissions were used?',
  fit: 'Does the activity fit known behaviour?',
});

/** Whether two paths as given name one file (`logs/a.json` and `./logs/a.json`). */
export function sameFile(a: string, b: string): boolean {
  return a === b || path.resolve(a) === path.resolve(b);
}

function isSameEvent(a: EnrichedEvent, b: EnrichedEvent): boolean {
  return a === b || (a.ts === b.ts && a.source.line === b.source.line && a.source.record === b.source.record && a.source.file === b.source.file);
}

/** Event order: time, then file, then line, then place on the line. */
function before(a: EnrichedEvent, b: EnrichedEvent): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file;
  if (a.source.line !== b.source.line) return a.source.line < b.source.line;
  return (a.source.record ?? 1) < (b.source.record ?? 1);
}

/**
 * Walk one entry through the ten questions, replaying the `neighbours` of its actor that come
 * before it. For a whole input, `createEntryWalk` gives the same judgement as `apilog analyze`.
 */
export function explainEntry(e: EnrichedEvent, context: ExplainContext): { record: EntryRecord; prose: string } {
  const options = resolveOptions(context.options);
  const tracker = createTracker({ rules: context.rules, geo: context.geo, baseline: context.baseline, options });
  const earlier = context.neighbours
    .filter((n) => n.actor === e.actor && !isSameEvent(n, e) && before(n, e))
    .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  for (const n of earlier) tracker.observe(n);
  const o = tracker.observe(e, true);
  if (o === null) throw new Error('internal: forced observation missing');
  return answerObserved({ entry: e, observation: o, tracker }, context);
}

/** The ten answers for an entry the tracker has judged (by `explainEntry` or `createEntryWalk`). */
export function answerObserved(found: WalkResult, context: Omit<ExplainContext, 'neighbours'>): { record: EntryRecord; prose: string } {
  const options = resolveOptions(context.options);
  const { observation: o, tracker } = found;
  const actx = answerContext(context, tracker);
  const kept = keptFrom(o);
  const joined = joinAlerts([kept], context.alerts ?? []);
  const belongs = joined.get(kept) ?? [];
  const done = completeRecord(o, belongs, { actx, given: context.baseline, fit: context.baseline, options });
  // Alerts that cite this record as evidence without being about its caller (a secret the line
  // logged): named, so that a responder who comes from the alert's sample finds it here.
  const src = o.e.source;
  const cites = (context.alerts ?? []).filter(
    (a) => !belongs.includes(a) && (a.evidence.samples ?? []).some((x) => x.file === src.file && x.line === src.line && x.record === src.record),
  );
  if (cites.length > 0) {
    const p = done.answers.pattern!;
    const named = cites.map((a) => `${a.id} ${a.rule} (${a.severity}): ${a.summary.replace(/\.+$/, '')}`).join('; ');
    done.answers.pattern = {
      answer:
        belongs.length === 0
          ? `No detector alert is about this entry's caller, but its record is evidence in ${cites.length === 1 ? 'an alert' : `${cites.length} alerts`}: ${named}.`
          : `${p.answer} Its record is also evidence in: ${named}.`,
      notable: p.notable,
      facts: { ...(p.facts ?? {}), evidenceIn: cites.map((a) => ({ id: a.id, rule: a.rule, severity: a.severity })) },
    };
  }
  if (context.alerts === undefined) {
    // Without the detectors' alerts, question 8 cannot say that none covers the entry.
    const own = done.flags.filter((f) => f !== 'in-alert');
    done.answers.pattern = {
      answer: `Not judged here: ${context.notJudged ?? "the detectors' alerts were not computed"} (\`apilog analyze\` lists them; an entry belongs to an alert whose subject and window it falls in)${own.length > 0 ? `. Its own flags: ${own.join(', ')}` : ''}.`,
      notable: false,
      facts: { alerts: [], judged: false },
    };
  }
  return { record: done, prose: renderProse(done) };
}

/** The numbered walk-through (1-10, one paragraph each) for a completed record. */
export function renderProse(r: EntryRecord): string {
  const who = r.subject.user !== undefined ? `user ${r.subject.user}` : r.subject.apiKey !== undefined ? `API key ${r.subject.apiKey}` : r.subject.ip !== undefined ? `${r.subject.ip}` : 'an unidentified caller';
  const req = `${r.request.method ?? ''} ${r.request.path ?? r.request.template ?? ''}`.trim();
  const lines: string[] = [];
  lines.push(`Entry: ${req} by ${who} at ${r.time} (${r.source.file} line ${lineRef(r.source.line, r.source.record)}${r.request.requestId !== undefined ? `, request ${r.request.requestId}` : ''}).`);
  lines.push(`Severity: ${r.severity}. Flags: ${r.flags.length > 0 ? r.flags.join(', ') : 'none'}.${r.alerts.length > 0 ? ` Alerts: ${r.alerts.join(', ')}.` : ''}`);
  CHECKLIST_QUESTIONS.forEach((q, i) => {
    const a = r.answers[q];
    lines.push('');
    lines.push(`${i + 1}. ${QUESTION_TITLES[q]}${a?.notable === true ? ' [notable]' : ''}`);
    lines.push(a !== undefined ? a.answer : 'Not answered.');
  });
  return `${lines.join('\n')}\n`;
}

/** By request id, or by file, line and the record's place on the line (SourceRef.record; absent: the first). */
export type EntrySelector = { requestId: string } | { file: string; line: number; record?: number };

/**
 * A request id matches in full, or as the last part of a resource path: Cloud Logging's trace is
 * `projects/P/traces/ID`, and responders paste the ID that their other tools show.
 */
function idMatches(id: string | undefined, wanted: string): boolean {
  if (id === undefined) return false;
  return id === wanted || (id.length > wanted.length && id.endsWith(wanted) && id.charCodeAt(id.length - wanted.length - 1) === 47 /* / */ && !wanted.includes('/'));
}

/** Whether an event is the one the selector names (by request id, or file and line). */
export function matches(e: Pick<EnrichedEvent, 'requestId' | 'source'>, sel: EntrySelector): boolean {
  if ('requestId' in sel) return idMatches(e.requestId, sel.requestId);
  return e.source.line === sel.line && (e.source.record ?? 1) === (sel.record ?? 1) && sameFile(e.source.file, sel.file);
}

/** The first event the selector names (request id, or file and 1-based line). */
export function selectEntry(events: Iterable<EnrichedEvent>, sel: EntrySelector): EnrichedEvent | undefined {
  for (const e of events) if (matches(e, sel)) return e;
  return undefined;
}

/** The entry a walk found, the tracker's judgement of it, and the tracker (for the answers). */
export interface WalkResult {
  entry: EnrichedEvent;
  observation: Observation;
  tracker: Tracker;
}

export interface EntryWalk {
  /** Feed every event of the input, in the order read. */
  push(e: EnrichedEvent): void;
  /** True once the entry is judged: stop reading. */
  done(): boolean;
  result(): WalkResult | undefined;
}

export interface EntryWalkContext {
  rules: RuleSet;
  geo: GeoLookup;
  baseline?: Baseline;
  options?: Partial<ChecklistOptions>;
}

/**
 * Streaming judgement for `apilog explain`: every event before the entry goes through the
 * checklist's tracker in the order read, as in `apilog analyze`. So the answers count the actor's
 * whole earlier activity in the input (requests so far and since when, failures in a row, new IPs),
 * as analyze's entry for the same line does, not only a recent window. The tracker's state is
 * bounded per actor, so memory does not grow with the input.
 */
export function createEntryWalk(sel: EntrySelector, ctx: EntryWalkContext): EntryWalk {
  const options = resolveOptions(ctx.options);
  const tracker = createTracker({ rules: ctx.rules, geo: ctx.geo, baseline: ctx.baseline, options });
  let found: WalkResult | undefined;

  return {
    push(e) {
      if (found !== undefined) return;
      if (!matches(e, sel)) {
        tracker.observe(e);
        return;
      }
      const observation = tracker.observe(e, true);
      if (observation === null) throw new Error('internal: forced observation missing');
      found = { entry: e, observation, tracker };
    },
    done: () => found !== undefined,
    result: () => found,
  };
}
