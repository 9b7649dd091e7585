/**
 * JSON and NDJSON writers. Both escape, beyond what JSON.stringify does, DEL, C1 controls and
 * Unicode bidi/separator characters (see sanitize.ts), so printing the output is safe.
 */
import type { Report } from './options.js';
import { safeJson } from './sanitize.js';

/** NDJSON: alerts, then entries, then the summary LAST; one record per line, each newline-terminated. */
export function* ndjsonChunks(report: Report): Generator<string> {
  for (const a of report.alerts) yield safeJson(a) + '\n';
  for (const e of report.entries) yield safeJson(e) + '\n';
  yield safeJson(report.summary) + '\n';
}

function indent(json: string, by: string): string {
  // JSON.stringify never leaves a raw newline inside a string, so every "\n" is layout.
  return json.replace(/\n/g, '\n' + by);
}

/** Items written as they are read (the entries may be made one at a time). */
function* arrayChunks(items: Iterable<unknown>): Generator<string> {
  let first = true;
  for (const item of items) {
    yield (first ? '[\n    ' : ',\n    ') + indent(safeJson(item, 2), '    ');
    first = false;
  }
  yield first ? '[]' : '\n  ]';
}

/** One document `{ summary, alerts, entries }`, indented by two spaces, written piece by piece. */
export function* jsonChunks(report: Report): Generator<string> {
  yield '{\n  "summary": ' + indent(safeJson(report.summary, 2), '  ') + ',\n';
  yield '  "alerts": ';
  yield* arrayChunks(report.alerts);
  yield ',\n  "entries": ';
  yield* arrayChunks(report.entries);
  yield '\n}\n';
}
