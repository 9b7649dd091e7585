import { redactRecord } from '../hygiene/index.js';

/**
 * apilog never re-prints a secret it read. Output records quote log content (paths, queries,
 * user agents, issue snippets), so each one goes through the same masking as `apilog redact`
 * before any reporter sees it: a card number in a query string comes out as its last four.
 */
export function maskSecrets<T>(record: T): T {
  return redactRecord(record).value as T;
}
