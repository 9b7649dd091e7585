import type { AlertRecord, EntryRecord, SummaryRecord } from './records.js';

export type ReportFormat = 'text' | 'json' | 'ndjson' | 'csv' | 'sarif';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'json', 'ndjson', 'csv', 'sarif'];

export type EntriesMode = 'all' | 'flagged' | 'none';

export interface ReportOptions {
  format: ReportFormat;
  /** For csv: which records become rows (default alerts). */
  csvOf?: 'alerts' | 'entries';
  /** Colour codes in the text report (see resolveColor). Never used by machine formats. */
  color: boolean;
  /** Terminal columns the text report fits into (see terminalWidth). */
  width: number;
  /** Do not cut long values (text report). */
  full: boolean;
  /** Drop the header of the text report. */
  quiet: boolean;
  /** IANA zone for displayed times (text report). Machine formats always carry UTC ISO strings. */
  tz: string;
  /** Which entries are rendered: all, only flagged ones (flags, alerts or a severity above info), or none. */
  entriesMode: EntriesMode;
}

export interface Report {
  summary: SummaryRecord;
  alerts: AlertRecord[];
  /** Possibly made as they are read (analyze/run.ts): a reporter reads them once. */
  entries: Iterable<EntryRecord>;
}

/** An entry worth showing in "flagged" mode: it carries flags, belongs to an alert, or is above info. */
export function isFlagged(e: EntryRecord): boolean {
  return e.flags.length > 0 || e.alerts.length > 0 || e.severity !== 'info';
}

export function selectEntries(entries: Iterable<EntryRecord>, mode: EntriesMode): Iterable<EntryRecord> {
  if (mode === 'none') return [];
  if (mode === 'all') return entries;
  return flaggedOf(entries);
}

function* flaggedOf(entries: Iterable<EntryRecord>): Generator<EntryRecord> {
  for (const e of entries) if (isFlagged(e)) yield e;
}
