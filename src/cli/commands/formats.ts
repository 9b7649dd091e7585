/** `apilog formats` and `apilog formats detect <file>`: what apilog recognises, and how it sees a file. */
import { describeRecords, listFormats, loadMapFile } from '../../normalise/index.js';
import type { IngestIssue } from '../../ingest/types.js';
import { textLogAdvice } from '../../ingest/text-logs.js';
import { UsageError } from '../../analyze/options.js';
import { parseMapPairs, validTimeZone } from '../parse.js';
import { sanitize } from '../../report/sanitize.js';
import { maskSecrets } from '../../analyze/mask.js';
import { arr, checkMapKeys, sampleRecords, str, table, writeJson, writeWrapped as write, type Opts } from './shared.js';
import { exitWithError } from '../errors.js';
import { loadRules } from '../../rules/index.js';
import { expandInputs } from '../../ingest/index.js';
import fs from 'node:fs';

export async function formatsCommand(o: Opts): Promise<number> {
  const formats = listFormats();
  if (str(o.format) === 'json') {
    writeJson(formats);
    return 0;
  }
  write(table(['id', 'format', 'detected by'], formats.map((f) => [f.id, f.title, f.detect])));
  write('Force one with --log-format ID; map an unknown format with --map field=path (see docs/formats.md).');
  return 0;
}

/**
 * A folder stands for its first log file, as analyze would read it (its files are said to be of one
 * kind, rotated copies of one log, more often than not): named on stderr, with how many there are.
 */
async function oneFileOf(path: string): Promise<string> {
  if (path === '-' || !fs.statSync(path, { throwIfNoEntry: false })?.isDirectory()) return path;
  const { sources } = await expandInputs([path]);
  if (sources.length === 0) throw new UsageError(`${path} is a folder with no log files in it: name a file`);
  if (sources.length > 1) process.stderr.write(`apilog: ${sanitize(path)} is a folder of ${sources.length} files: this describes ${sanitize(sources[0]!.path)} (name another to see it)\n`);
  return sources[0]!.path;
}

export async function formatsDetectCommand(given: string, o: Opts): Promise<number> {
  try {
    const file = await oneFileOf(given);
    const limit = Number(str(o.records) ?? '200');
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--records: expected a positive whole number, got "${str(o.records)}"`);
    let map: Record<string, string> = {};
    if (str(o.mapFile)) {
      try {
        map = loadMapFile(str(o.mapFile)!);
      } catch (err) {
        throw new UsageError(`--map-file: ${(err as Error).message}`);
      }
    }
    map = { ...map, ...parseMapPairs(arr(o.map)) };
    checkMapKeys(map);
    const issues: IngestIssue[] = [];
    const records = await sampleRecords(file, limit, (i) => issues.push(i));
    const unreadable = issues.find((i) => ['not-found', 'permission-denied', 'unreadable'].includes(i.kind));
    if (unreadable) {
      process.stderr.write(`apilog: ${sanitize(unreadable.message)}\n`);
      return 3;
    }
    // Samples quote the log: masked like every other output.
    const result = maskSecrets(describeRecords(records, {
      file,
      ...(str(o.logFormat) ? { format: str(o.logFormat) } : {}),
      ...(Object.keys(map).length > 0 ? { map } : {}),
      ...(str(o.inputTz) ? { inputTz: validTimeZone(str(o.inputTz)!, '--input-tz') } : {}),
      ...(arr(o.rules).length > 0 ? { trustedProxies: loadRules(arr(o.rules)).trustedProxies ?? [] } : {}),
    }));
    if (str(o.format) === 'json') {
      writeJson({ file, issues, ...result });
      return 0;
    }
    const det = result.detection;
    write(`${sanitize(file)}: ${records.length} records sampled, ${result.events} mapped`);
    write(det ? `format: ${det.format} (confidence ${(det.confidence * 100).toFixed(0)}%)` : 'format: not recognised');
    if (det?.table === 'AzureDiagnostics') {
      write('read as: rows of the Log Analytics AzureDiagnostics table, each read as the diagnostic-settings record it came from (type suffix stripped, under properties); fields below name the columns');
    }
    const textLog = result.events === 0 ? issues.find((i) => i.textLog !== undefined)?.textLog : undefined;
    if (textLog !== undefined) write(`- ${textLogAdvice(textLog)}`);
    if (det && Object.keys(det.votes).length > 1) {
      write(`votes: ${Object.entries(det.votes).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
    const skipped = Object.entries(result.skipped);
    if (skipped.length > 0) write(`skipped: ${skipped.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (issues.length > 0) write(`input problems: ${issues.length} (first: ${issues[0]!.line !== undefined ? `line ${issues[0]!.line}: ` : ''}${sanitize(issues[0]!.message)})`);
    write(table(['canonical field', 'from', 'sample'], result.perField.map((f) => [f.field, f.sourcePath ?? '—', f.sample ?? ''])));
    if (result.unmappedKeys.length > 0) write(`source keys not used: ${result.unmappedKeys.slice(0, 30).map(sanitize).join(', ')}`);
    for (const a of result.advice) write(`- ${sanitize(a)}`);
    return 0;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  }
}
