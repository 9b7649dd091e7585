import { redactRecord, redactString } from '../hygiene/index.js';
import type { AlertRecord, CountRow, EntryRecord, SummaryRecord } from '../report/records.js';
import { alertFingerprint } from '../report/sarif.js';
import { originRecord } from '../report/alert-origin.js';
import { maskIdentifier } from '../checklist/mask.js';

/**
 * apilog never re-prints a secret it read. Output records quote log content (paths, queries,
 * user agents, issue snippets), so each one goes through the same masking as `apilog redact`
 * before any reporter sees it: a card number in a query string comes out as its last four.
 */
/**
 * The record as a run hands it out: with where its requests came from (from the masked evidence, so
 * its keys are masked) and its fingerprint, computed from what is shown, so it holds no secret's hash.
 */
export function withFingerprint(a: AlertRecord): AlertRecord {
  const origin = originRecord(a);
  return origin === undefined ? { ...a, fingerprint: alertFingerprint(a) } : { ...a, origin, fingerprint: alertFingerprint(a) };
}

export function maskSecrets<T>(record: T): T {
  const masked = redactRecord(isAlert(record) ? (maskAlertIds(record) as T) : record).value as T;
  return isEntry(masked) ? (maskEntryIds(masked) as T) : masked;
}

function isAlert(r: unknown): r is AlertRecord {
  return typeof r === 'object' && r !== null && (r as { type?: unknown }).type === 'alert';
}

/**
 * An alert's API key and session ids (its subject's, its samples') masked as an entry's are, before
 * the output masker: that one leaves a plain id (`acme-billing`) readable, which an entry shows as
 * `acme-bil…`. The same mask on both keeps an alert's subject equal to its entries' and the key out
 * of the output.
 */
function maskAlertIds(a: AlertRecord): AlertRecord {
  const s = a.subject;
  const samples = a.evidence.samples ?? [];
  const keyed = samples.some((x) => x.apiKey !== undefined);
  if (s.apiKey === undefined && s.session === undefined && !keyed) return a;
  const subject = {
    ...s,
    ...(s.apiKey !== undefined ? { apiKey: maskIdentifier(s.apiKey, 'apiKey') } : {}),
    ...(s.session !== undefined ? { session: maskIdentifier(s.session, 'session') } : {}),
  };
  const evidence = keyed ? { ...a.evidence, samples: samples.map((x) => (x.apiKey === undefined ? x : { ...x, apiKey: maskIdentifier(x.apiKey, 'apiKey') })) } : a.evidence;
  return { ...a, subject, evidence };
}

/**
 * An actor key ("user:4111111111111111", "apiKey:…") with its value masked by content: after the
 * kind's colon, a card number or a token is not found by the free-text scan (a digit run after a
 * letter and a colon reads as part of a word), so the value is judged on its own.
 */
export function maskActorKey(actor: string): string {
  const colon = actor.indexOf(':');
  if (colon <= 0) return actor;
  const value = actor.slice(colon + 1);
  // An API key id as entries and alerts show it (a plain id keeps its first characters only).
  const masked = actor.startsWith('key:') ? maskIdentifier(value, 'apiKey') : redactString(value).value;
  return masked === value ? actor : `${actor.slice(0, colon + 1)}${masked}`;
}

function isEntry(r: unknown): r is EntryRecord {
  return typeof r === 'object' && r !== null && (r as { type?: unknown }).type === 'entry';
}

/** The entry's actor key and object ids, masked as its path and user are (a card number as an id). */
function maskEntryIds(r: EntryRecord): EntryRecord {
  const who = r.answers.who?.facts as { actor?: unknown } | undefined;
  const what = r.answers.what?.facts as { objectIds?: unknown } | undefined;
  const actor = typeof who?.actor === 'string' ? maskActorKey(who.actor) : undefined;
  const ids = Array.isArray(what?.objectIds) ? what.objectIds.map((id) => (typeof id === 'string' ? redactString(id).value : id)) : undefined;
  const idsChanged = ids !== undefined && ids.some((id, i) => id !== (what!.objectIds as unknown[])[i]);
  if ((actor === undefined || actor === who!.actor) && !idsChanged) return r;
  const answers = { ...r.answers };
  if (actor !== undefined && actor !== who!.actor) answers.who = { ...answers.who!, facts: { ...answers.who!.facts, actor } };
  if (idsChanged) answers.what = { ...answers.what!, facts: { ...answers.what!.facts, objectIds: ids } };
  return { ...r, answers };
}

/**
 * The summary, masked. Its count tables name each row's value `key` (a route, an IP, a status),
 * which the masking would take for an API key by its field name: their values are scanned for
 * secrets as any text is, by content only.
 */
export function maskSummary(summary: SummaryRecord): SummaryRecord {
  const masked = maskSecrets({ ...summary, topRoutes: [], ...(summary.topFailedRoutes ? { topFailedRoutes: [] } : {}), statuses: [], topIps: [] });
  const out = {
    ...masked,
    topRoutes: maskRows(summary.topRoutes),
    ...(summary.topFailedRoutes ? { topFailedRoutes: maskRows(summary.topFailedRoutes) } : {}),
    statuses: maskRows(summary.statuses),
    topIps: maskRows(summary.topIps),
  };
  // (A summary built in a test may have no actors table.)
  if (Array.isArray(masked.actors)) {
    out.actors = masked.actors.map((a) => {
      const actor = maskActorKey(a.actor);
      return actor === a.actor ? a : { ...a, actor };
    });
  }
  return out;
}

function maskRows(rows: CountRow[]): CountRow[] {
  return rows.map((row) => {
    const key = redactString(row.key).value;
    return key === row.key ? row : { ...row, key };
  });
}
