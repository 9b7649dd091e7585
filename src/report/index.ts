/**
 * The reporter: renders records it is given as text, json, ndjson, csv or sarif.
 * It knows nothing about detection; filters (--min-severity, --only) are applied before.
 */
import { csvChunks } from './csv.js';
import { jsonChunks, ndjsonChunks } from './json.js';
import { selectEntries, type Report, type ReportOptions } from './options.js';
import { writeChunks } from './output.js';
import { sarifChunks } from './sarif.js';
import { renderTextLines } from './text.js';

export type { EntriesMode, Report, ReportFormat, ReportOptions } from './options.js';
export { REPORT_FORMATS, isFlagged, selectEntries } from './options.js';
export * from './records.js';
export { ALERT_CSV_COLUMNS, ENTRY_CSV_COLUMNS, csvCell } from './csv.js';
export { buildSarif, sarifLevel, alertFingerprint, SARIF_FINGERPRINT } from './sarif.js';
export { sanitize, safeJson, escapeJsonText, truncate, displayWidth } from './sanitize.js';
export {
  OutputError,
  OUTPUT_ERROR_EXIT_CODE,
  openOutput,
  installBrokenPipeHandler,
  isBrokenPipe,
  resolveColor,
  terminalWidth,
  writeChunks,
  type ColorFlag,
  type OutputTarget,
} from './output.js';
export { createProgress, type Progress, type ProgressOptions } from './progress.js';
export { renderText } from './text.js';

function* textChunks(report: Report, options: ReportOptions): Generator<string> {
  for (const line of renderTextLines(report, options)) yield line + '\n';
}

/** The report as a sequence of string chunks (what writeReport writes). */
export function reportChunks(report: Report, options: ReportOptions): Iterable<string> {
  // Machine formats honour entriesMode too: none drops entries, flagged keeps the notable ones.
  const r: Report = { ...report, entries: selectEntries(report.entries, options.entriesMode) };
  switch (options.format) {
    case 'json':
      return jsonChunks(r);
    case 'ndjson':
      return ndjsonChunks(r);
    case 'csv':
      return csvChunks(r, options.csvOf ?? 'alerts');
    case 'sarif':
      return sarifChunks(r);
    case 'text':
    default:
      return textChunks(report, options);
  }
}

/** Render the report and write it to `out` (with backpressure). Rejects on a stream error. */
export async function writeReport(report: Report, options: ReportOptions, out: NodeJS.WritableStream): Promise<void> {
  await writeChunks(reportChunks(report, options), out);
}
