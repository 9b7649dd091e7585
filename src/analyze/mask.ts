import { redactRecord, redactString } from '../hygiene/index.js';
import type { CountRow, SummaryRecord } from '../report/records.js';

/**
 * apilog never re-prints a secret it read. Output records quote log content (paths, queries,
 * user agents, issue snippets), so each one goes through the same masking as `apilog redact`
 * before any reporter sees it: a card number in a query string comes out as its last four.
 */
export function maskSecrets<T>(record: T): T {
  return redactRecord(record).value as T;
}

/**
 * The summary, masked. Its count tables name each row's value `key` (a route, an IP, a status),
 * which the masking would take for an API key by its field name: their values are scanned for
 * secrets as any text is, by content only.
 */
export function maskSummary(summary: SummaryRecord): SummaryRecord {
  const masked = maskSecrets({ ...summary, topRoutes: [], statuses: [], topIps: [] });
  return { ...masked, topRoutes: maskRows(summary.topRoutes), statuses: maskRows(summary.statuses), topIps: maskRows(summary.topIps) };
}

function maskRows(rows: CountRow[]): CountRow[] {
  return rows.map((row) => {
    const key = redactString(row.key).value;
    return key === row.key ? row : { ...row, key };
  });
}
