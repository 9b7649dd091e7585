/**
 * The per-entry checklist over a stream: `add` judges every event (bounded per-actor state) and
 * keeps only notable entries (capped, higher severity first); `finish` joins the alerts onto them
 * and answers questions 8 and 10.
 */
import type { EnrichedEvent, GeoLookup } from '../enrich/types.js';
import type { RuleSet } from '../rules/types.js';
import type { Baseline } from '../baseline/types.js';
import { own, weekdaysActiveAtHour } from '../baseline/stats.js';
import type { AlertRecord, EntryRecord } from '../report/records.js';
import type { Severity } from '../detect/types.js';
import { answerFit, answerPattern, buildRecord, fitFacts, type AnswerContext } from './answers.js';
import { maskIdentifier, maskSecret } from './mask.js';
import { createZoneClock } from './clock.js';
import { DEFAULT_CHECKLIST_OPTIONS, type ChecklistOptions } from './options.js';
import { createTracker, maxSeverity, severityRankOf, type Observation, type Tracker } from './tracker.js';
import { PackedStack } from './packed-stack.js';

export interface ChecklistConfig {
  rules: RuleSet;
  geo: GeoLookup;
  /** A baseline file, or one learned from the input (origin 'input'). */
  baseline?: Baseline;
  /** IANA zone for local times in the answers. */
  tz: string;
  /** Keep every entry, not only notable ones (`--entries all`); still capped at maxEntries. */
  keepAll?: boolean;
  options?: Partial<ChecklistOptions>;
  /** Kept entries per deflated chunk (see PackedStack); tests set it low to pack every few entries. */
  packChunk?: number;
}

export interface Checklist {
  /** Judge one event (hot path). */
  add(e: EnrichedEvent): void;
  /**
   * Join alerts and answer questions 8 and 10: the kept entries in time order, their records made
   * as they are read. `learned`, when given, is a baseline learned from the input during the same
   * pass: question 10 is then answered against it (as origin 'input') instead of the configured
   * baseline.
   */
  finish(alerts: AlertRecord[], learned?: Baseline): KeptEntries;
  /** Notable entries seen (severity above info), including those beyond the cap. */
  flaggedCount(): number;
  /** Entries not kept because of maxEntries. */
  droppedCount(): number;
  /** Actors whose recent state was dropped at maxActors. */
  evictedActors(): number;
}

/** What filters and counts need of a kept entry before its record is made. */
export interface EntryHead {
  /** With its alerts joined (the record's severity). */
  severity: Severity;
  /** The record's flags ('in-alert' first when it belongs to one). */
  flags: readonly string[];
}

/**
 * The kept entries at the end of a run, in time order. Their records (the answers' prose: the
 * largest thing a run makes) are made one at a time as they are read, so that a run never holds
 * all of them, and each entry's observation is let go of once its record is made.
 */
export interface KeptEntries {
  readonly heads: readonly EntryHead[];
  /** The records of the entries whose heads `keep` selects (all by default), in order. Read once: a second read throws. */
  records(keep?: (head: EntryHead) => boolean): Iterable<EntryRecord>;
}

/** A kept entry: what joining alerts needs, and its observation until its record is made. */
export interface KeptEntry {
  o: Observation | undefined;
  ts: number;
  user: string | undefined;
  apiKey: string | undefined;
  ip: string | undefined;
  session: string | undefined;
  userAgent: string | undefined;
  template: string;
  path: string | undefined;
}

export function keptFrom(o: Observation): KeptEntry {
  const e = o.e;
  return {
    o,
    ts: e.ts,
    user: e.user,
    apiKey: e.apiKey,
    ip: e.ip,
    session: e.sessionId,
    userAgent: e.userAgent,
    template: e.template,
    path: e.path,
  };
}

/** An alert's apiKey/session may be given masked ("abcd1234…", "abcd****", "k7q…[REDACTED api-key …]"). */
function secretMatches(raw: string | undefined, given: string, field: 'apiKey' | 'session'): boolean {
  if (raw === undefined) return false;
  if (given === raw || given === maskSecret(raw) || given === maskIdentifier(raw, field)) return true;
  const stripped = given.replace(/[…*.]+$/u, '');
  return stripped.length >= 4 && stripped !== given && raw.startsWith(stripped);
}

function subjectMatches(a: AlertRecord, k: KeptEntry): boolean {
  const s = a.subject;
  if (s.user !== undefined && s.user !== k.user) return false;
  if (s.ip !== undefined && s.ip !== k.ip) return false;
  if (s.userAgent !== undefined && s.userAgent !== k.userAgent) return false;
  if (s.apiKey !== undefined && !secretMatches(k.apiKey, s.apiKey, 'apiKey')) return false;
  if (s.session !== undefined && !secretMatches(k.session, s.session, 'session')) return false;
  if (s.route !== undefined && s.route !== k.template && s.route !== k.path) return false;
  return true;
}

/** The accounts an alert says were taken over (`evidence.takeover`), with when and from where. */
function takenOver(a: AlertRecord): Array<{ account: string; at: number; ip?: string }> {
  const t = a.evidence.takeover as { accounts?: unknown } | undefined;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.accounts)) return [];
  const out: Array<{ account: string; at: number; ip?: string }> = [];
  for (const x of t.accounts as Array<{ account?: unknown; at?: unknown; ip?: unknown }>) {
    if (typeof x?.account !== 'string' || typeof x.at !== 'number' || !Number.isFinite(x.at)) continue;
    out.push({ account: x.account, at: x.at, ...(typeof x.ip === 'string' ? { ip: x.ip } : {}) });
  }
  return out;
}

/**
 * The alerts each entry belongs to: every identity key the alert's subject names (user, apiKey,
 * ip, session, userAgent; and route if given) matches the entry, and the entry's time is within
 * [start, end]. Alerts whose subject names no identity key (route only) join nothing, except the
 * requests of an account they say was taken over (a distributed credential attack's hits), from the
 * takeover's address, from the takeover on and within [start, end].
 */
export function joinAlerts(entries: KeptEntry[], alerts: AlertRecord[]): Map<KeptEntry, AlertRecord[]> {
  const out = new Map<KeptEntry, AlertRecord[]>();
  if (alerts.length === 0 || entries.length === 0) return out;
  const byUser = new Map<string, KeptEntry[]>();
  const byIp = new Map<string, KeptEntry[]>();
  const push = (m: Map<string, KeptEntry[]>, key: string | undefined, k: KeptEntry): void => {
    if (key === undefined) return;
    const l = m.get(key);
    if (l === undefined) m.set(key, [k]);
    else l.push(k);
  };
  for (const k of entries) {
    push(byUser, k.user, k);
    push(byIp, k.ip, k);
  }
  for (const a of alerts) {
    const s = a.subject;
    const start = Date.parse(a.start);
    const end = Date.parse(a.end);
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    if (s.user === undefined && s.ip === undefined && s.apiKey === undefined && s.session === undefined && s.userAgent === undefined) {
      for (const t of takenOver(a)) {
        for (const k of byUser.get(t.account) ?? []) {
          if (k.ts < Math.max(start, t.at) || k.ts > end || (t.ip !== undefined && k.ip !== t.ip)) continue;
          const l = out.get(k);
          if (l === undefined) out.set(k, [a]);
          else if (!l.includes(a)) l.push(a);
        }
      }
      continue;
    }
    const candidates = s.user !== undefined ? (byUser.get(s.user) ?? []) : s.ip !== undefined ? (byIp.get(s.ip) ?? []) : entries;
    for (const k of candidates) {
      if (k.ts < start || k.ts > end || !subjectMatches(a, k)) continue;
      const l = out.get(k);
      if (l === undefined) out.set(k, [a]);
      else l.push(a);
    }
  }
  return out;
}

/** An entry's severity and flags once its alerts are joined. */
export function headOf(o: Observation, alerts: readonly AlertRecord[]): EntryHead {
  if (alerts.length === 0) return { severity: o.severity, flags: o.flags };
  let severity: Severity = o.severity;
  for (const a of alerts) severity = maxSeverity(severity, a.severity);
  return { severity, flags: o.flags.includes('in-alert') ? o.flags : ['in-alert', ...o.flags] };
}

/** How a kept entry's record is made: the answers' context and the baselines of questions 1-9 and 10. */
export interface RecordContext {
  actx: AnswerContext;
  /** The baseline file, if any (questions 1-9). */
  given: Baseline | undefined;
  /** The baseline question 10 is answered against: the file's, or one learned from the input. */
  fit: Baseline | undefined;
  options: ChecklistOptions;
}

/** An observation's record with its joined alerts and the answers to questions 8 and 10. */
export function completeRecord(o: Observation, alerts: readonly AlertRecord[], ctx: RecordContext): EntryRecord {
  const r = buildRecord(o, ctx.actx, ctx.given, ctx.options.failureStreak);
  const head = headOf(o, alerts);
  if (alerts.length > 0) r.alerts = alerts.map((a) => a.id);
  r.severity = head.severity;
  r.flags = [...head.flags];
  // In question order.
  r.answers = {
    who: r.answers.who,
    when: r.answers.when,
    where: r.answers.where,
    what: r.answers.what,
    howOften: r.answers.howOften,
    modifications: r.answers.modifications,
    status: r.answers.status,
    pattern: answerPattern(alerts, r.flags),
    permissions: r.answers.permissions,
    fit: answerFit(fitFacts(o), ctx.fit, ctx.options),
  };
  return r;
}

export function resolveOptions(partial: Partial<ChecklistOptions> | undefined): ChecklistOptions {
  const o: ChecklistOptions = { ...DEFAULT_CHECKLIST_OPTIONS, ...(partial ?? {}) };
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`checklist option ${k} must be a non-negative number`);
  }
  if (o.burstCount < 2) throw new Error('checklist option burstCount must be at least 2');
  return o;
}

/** Throws for an unknown display zone. */
export function answerContext(config: { tz: string; rules: RuleSet }, tracker: Tracker): AnswerContext {
  createZoneClock(config.tz);
  return { tz: config.tz, business: tracker.business, adminRoles: config.rules.policy.adminRoles };
}

export function createChecklist(config: ChecklistConfig): Checklist {
  const options = resolveOptions(config.options);
  const tracker = createTracker({ rules: config.rules, geo: config.geo, baseline: config.baseline, options });
  const actx = answerContext(config, tracker);
  const keepAll = config.keepAll === true;
  // Notable entries waiting for finish, by severity rank, mostly deflated outside the heap. The
  // records (the answers' prose) are only written at finish, for the entries that are still kept
  // then. An entry's baseline entry is shared with the tracker: left out of the packed copy and
  // looked up again when it is read back (the tracker found it the same way).
  const { baseline } = config;
  const packing = {
    ...(config.packChunk !== undefined ? { chunk: config.packChunk } : {}),
    ...(baseline !== undefined
      ? {
          pack: (o: Observation): Observation => ({ ...o, base: undefined }),
          unpack: (o: Observation): Observation => {
            o.base = own(baseline.actors, o.e.actor);
            return o;
          },
        }
      : {}),
  };
  const buckets = Array.from({ length: 5 }, () => new PackedStack<Observation>(packing));
  let kept = 0;
  let flagged = 0;
  let dropped = 0;

  /** Count the notable entry and make room for it, or say it is dropped. */
  function admit(rank: number): boolean {
    if (rank > 0) flagged++;
    if (kept < options.maxEntries) return true;
    let lowest = 0;
    while (lowest < rank && buckets[lowest]!.length === 0) lowest++;
    dropped++;
    if (lowest >= rank) return false;
    buckets[lowest]!.pop();
    kept--;
    return true;
  }

  function add(e: EnrichedEvent): void {
    if (!Number.isFinite(e.ts)) return;
    const o = tracker.observe(e, keepAll, admit);
    if (o === null) return;
    // Do not hold on to the source record.
    o.e = { ...e, raw: undefined };
    buckets[severityRankOf(o.severity)]!.push(o);
    kept++;
  }

  function finish(alerts: AlertRecord[], learned?: Baseline): KeptEntries {
    const fit = learned !== undefined ? (learned.origin === 'input' ? learned : { ...learned, origin: 'input' as const }) : config.baseline;
    let all = buckets.flatMap((b) => b.values());
    for (const b of buckets) b.clear();
    kept = 0;
    if (config.baseline === undefined && learned !== undefined) all = dropHabitualOffHours(all, learned, keepAll);
    all.sort((a, b) => a.e.ts - b.e.ts || (a.e.source.file < b.e.source.file ? -1 : a.e.source.file > b.e.source.file ? 1 : a.e.source.line - b.e.source.line || (a.e.source.record ?? 1) - (b.e.source.record ?? 1)));
    const entries = all.map(keptFrom);
    all = [];
    const joined = joinAlerts(entries, alerts);
    const heads = entries.map((k) => headOf(k.o!, joined.get(k) ?? []));
    const ctx: RecordContext = { actx, given: config.baseline, fit, options };
    let read = false;
    return {
      heads,
      *records(keep) {
        if (read) throw new Error('internal: the kept entries were read twice (each is let go of as its record is made)');
        read = true;
        for (let i = 0; i < entries.length; i++) {
          const k = entries[i]!;
          const o = k.o;
          // Each observation (with its copy of the event) let go of once its record is made.
          k.o = undefined;
          if (o === undefined || (keep !== undefined && !keep(heads[i]!))) continue;
          yield completeRecord(o, joined.get(k) ?? [], ctx);
        }
      },
    };
  }

  /**
   * With no baseline file, an entry outside business hours is judged as the input goes, before the
   * actor's habits are known. Once the whole input is learned, an entry kept only for being off
   * hours is dropped (or, with keepAll, lowered to info) when this actor works that hour on
   * another weekday too: the 08:25 login of someone who starts at 08:25 every day is no
   * finding.
   */
  function dropHabitualOffHours(obs: Observation[], learnedBaseline: Baseline, keepEvery: boolean): Observation[] {
    const out: Observation[] = [];
    for (const o of obs) {
      if (o.severity === 'low' && o.flags.includes('off-hours') && !o.flags.some((f) => LOW_RAISERS_BESIDES_OFF_HOURS.has(f))) {
        const hours = learnedBaseline.actors[o.e.actor]?.hoursOfWeek;
        if (hours !== undefined && weekdaysActiveAtHour(hours, o.e.ts) >= 2) {
          flagged--;
          if (keepEvery) out.push({ ...o, severity: 'info' });
          continue;
        }
      }
      out.push(o);
    }
    return out;
  }

  return {
    add,
    finish,
    flaggedCount: () => flagged,
    droppedCount: () => dropped,
    evictedActors: () => tracker.evicted(),
  };
}

/** An entry kept only for being outside business hours: low, off-hours, and nothing else that keeps one. */
export function keptForHoursOnly(e: { severity: string; flags: readonly string[] }): boolean {
  return e.severity === 'low' && e.flags.includes('off-hours') && !e.flags.some((f) => LOW_RAISERS_BESIDES_OFF_HOURS.has(f));
}

/** Flags that keep an entry at low severity on their own (besides off-hours). */
const LOW_RAISERS_BESIDES_OFF_HOURS = new Set<string>([
  'unusual-hour', 'new-ip', 'new-route', 'auth-failure', 'bulk', 'unknown-actor', 'new-location', 'burst',
  'volume-above-baseline', 'failure-streak', 'admin-route-by-non-admin', 'permission-denied-by-policy', 'in-alert',
]);
