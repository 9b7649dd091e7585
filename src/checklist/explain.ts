/**
 * `apilog explain`: the full ten-question walk-through of one entry, as JSON (EntryRecord) and
 * as prose a responder can paste into a ticket. Also the helpers the CLI uses to find the entry
 * (by request id or FILE:LINE) and the actor's events around it while streaming.
 */
import path from 'node:path';
import type { EnrichedEvent, GeoLookup } from '../enrich/types.js';
import type { RuleSet } from '../rules/types.js';
import type { Baseline } from '../baseline/types.js';
import type { AlertRecord, ChecklistQuestion, EntryRecord } from '../report/records.js';
import { CHECKLIST_QUESTIONS } from '../report/records.js';
import { buildRecord, fitFacts } from './answers.js';
import { answerContext, completeRecord, joinAlerts, keptFrom, resolveOptions } from './checklist.js';
import type { ChecklistOptions } from './options.js';
import { createTracker } from './tracker.js';

export interface ExplainContext {
  rules: RuleSet;
  geo: GeoLookup;
  baseline?: Baseline;
  tz: string;
  alerts?: AlertRecord[];
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

function sameFile(a: string, b: string): boolean {
  return a === b || path.resolve(a) === path.resolve(b);
}

function isSameEvent(a: EnrichedEvent, b: EnrichedEvent): boolean {
  return a === b || (a.ts === b.ts && a.source.line === b.source.line && a.source.file === b.source.file);
}

/** Event order: time, then file, then line. */
function before(a: EnrichedEvent, b: EnrichedEvent): boolean {
  if (a.ts !== b.ts) return a.ts < b.ts;
  if (a.source.file !== b.source.file) return a.source.file < b.source.file;
  return a.source.line < b.source.line;
}

/** Walk one entry through the ten questions. */
export function explainEntry(e: EnrichedEvent, context: ExplainContext): { record: EntryRecord; prose: string } {
  const options = resolveOptions(context.options);
  const tracker = createTracker({ rules: context.rules, geo: context.geo, baseline: context.baseline, options });
  const actx = answerContext(context, tracker);
  const earlier = context.neighbours
    .filter((n) => n.actor === e.actor && !isSameEvent(n, e) && before(n, e))
    .sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  for (const n of earlier) tracker.observe(n);
  const o = tracker.observe(e, true);
  if (o === null) throw new Error('internal: forced observation missing');
  const record = buildRecord(o, actx, context.baseline, options.failureStreak);
  const kept = keptFrom(record, e, fitFacts(o));
  const joined = joinAlerts([kept], context.alerts ?? []);
  const done = completeRecord(kept, joined.get(kept) ?? [], context.baseline, options);
  if (context.alerts === undefined) {
    // Without the detectors' alerts, question 8 cannot say that none covers the entry.
    const own = done.flags.filter((f) => f !== 'in-alert');
    done.answers.pattern = {
      answer: `Not judged here: explain reads the entry and its actor's earlier requests, not the detectors' alerts (\`apilog analyze\` lists them; an entry belongs to an alert whose subject and window it falls in)${own.length > 0 ? `. Its own flags: ${own.join(', ')}` : ''}.`,
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
  lines.push(`Entry: ${req} by ${who} at ${r.time} (${r.source.file} line ${r.source.line}${r.request.requestId !== undefined ? `, request ${r.request.requestId}` : ''}).`);
  lines.push(`Severity: ${r.severity}. Flags: ${r.flags.length > 0 ? r.flags.join(', ') : 'none'}.${r.alerts.length > 0 ? ` Alerts: ${r.alerts.join(', ')}.` : ''}`);
  CHECKLIST_QUESTIONS.forEach((q, i) => {
    const a = r.answers[q];
    lines.push('');
    lines.push(`${i + 1}. ${QUESTION_TITLES[q]}${a?.notable === true ? ' [notable]' : ''}`);
    lines.push(a !== undefined ? a.answer : 'Not answered.');
  });
  return `${lines.join('\n')}\n`;
}

export type EntrySelector = { requestId: string } | { file: string; line: number };

function matches(e: EnrichedEvent, sel: EntrySelector): boolean {
  if ('requestId' in sel) return e.requestId === sel.requestId;
  return e.source.line === sel.line && sameFile(e.source.file, sel.file);
}

/** The first event the selector names (request id, or file and 1-based line). */
export function selectEntry(events: Iterable<EnrichedEvent>, sel: EntrySelector): EnrichedEvent | undefined {
  for (const e of events) if (matches(e, sel)) return e;
  return undefined;
}

export interface EntrySelectorStream {
  /** Feed events in (roughly) time order. */
  push(e: EnrichedEvent): void;
  /** True once the entry is found and events have moved past its window: stop reading. */
  done(): boolean;
  /** The entry and the actor's events within the window around it (without `raw`). */
  result(): { entry: EnrichedEvent; neighbours: EnrichedEvent[] } | undefined;
}

export interface EntrySelectorOptions {
  /** Neighbours kept on each side of the entry. Default 1 h (question 5 counts the clock hour). */
  windowMs?: number;
  /** Recent events kept per actor while searching. Default 256. */
  perActor?: number;
  /** Actors tracked while searching; the longest idle are dropped. Default 20 000. */
  maxActors?: number;
}

/**
 * Streaming selection for `apilog explain`: keeps each actor's recent events (bounded) until the
 * entry appears, then the actor's events up to `windowMs` after it.
 */
export function createEntrySelector(sel: EntrySelector, opts: EntrySelectorOptions = {}): EntrySelectorStream {
  const windowMs = opts.windowMs ?? 3_600_000;
  const perActor = opts.perActor ?? 256;
  const maxActors = opts.maxActors ?? 20_000;
  const recent = new Map<string, EnrichedEvent[]>();
  let entry: EnrichedEvent | undefined;
  let neighbours: EnrichedEvent[] = [];
  let finished = false;

  function strip(e: EnrichedEvent): EnrichedEvent {
    return { ...e, raw: undefined };
  }

  function push(e: EnrichedEvent): void {
    if (finished) return;
    if (entry === undefined) {
      if (matches(e, sel)) {
        entry = e;
        neighbours = (recent.get(e.actor) ?? []).filter((n) => n.ts >= e.ts - windowMs);
        recent.clear();
        return;
      }
      let l = recent.get(e.actor);
      if (l === undefined) {
        if (recent.size >= maxActors) {
          const oldest = recent.keys().next();
          if (oldest.done !== true) recent.delete(oldest.value);
        }
        l = [];
        recent.set(e.actor, l);
      } else {
        // Refresh insertion order so idle actors are the ones dropped.
        recent.delete(e.actor);
        recent.set(e.actor, l);
      }
      l.push(strip(e));
      while (l.length > perActor || (l.length > 0 && (l[0] as EnrichedEvent).ts < e.ts - windowMs)) l.shift();
      return;
    }
    if (e.ts > entry.ts + windowMs) {
      finished = true;
      return;
    }
    if (e.actor === entry.actor && neighbours.length < perActor * 2) neighbours.push(strip(e));
  }

  return {
    push,
    done: () => finished,
    result: () => (entry === undefined ? undefined : { entry, neighbours }),
  };
}
