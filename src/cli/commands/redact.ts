/** `apilog redact`: sanitised copies of logs, with every secret and personal value masked. */
import fs from 'node:fs';
import { redactFiles } from '../../hygiene/index.js';
import { RedactOutputError } from '../../hygiene/redact.js';
import { OutputError, outputError } from '../../report/output.js';
import { sanitize } from '../../report/sanitize.js';
import { inputOptionsFrom } from './analyze.js';
import { isUnreadable, losesInput, NO_INPUT_FILES } from '../../analyze/events.js';
import { UsageError } from '../../analyze/options.js';
import { expandInputs } from '../../ingest/index.js';
import { columnsOf, str, table, type Opts } from './shared.js';
import { exitWithError } from '../errors.js';

export async function redactCommand(paths: string[], o: Opts): Promise<number> {
  try {
    const input = inputOptionsFrom(paths, o);
    const outDir = str(o.output)!;
    // -o names a folder: a file (or a device) in its place is said plainly, before any input is read.
    const st = fs.statSync(outDir, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) {
      throw new OutputError(outDir, 'ENOTDIR', `cannot write the output folder ${JSON.stringify(outDir)}: it exists and is not a folder (ENOTDIR)`);
    }
    // Paths that name no file (an empty folder, --include matching nothing) are a usage error, as
    // for analyze: exit 2 before the -o folder is made, not exit 0 with an empty table. Listing the
    // inputs costs little next to copying them; redactFiles lists them again per input.
    const listed = await expandInputs(paths, { include: input.include, exclude: input.exclude });
    if (listed.sources.length === 0 && !listed.issues.some((i) => isUnreadable(i.kind))) throw new UsageError(NO_INPUT_FILES);
    let result: Awaited<ReturnType<typeof redactFiles>>;
    try {
      result = await redactFiles(paths, outDir, {
        limits: input.limits,
        include: input.include,
        exclude: input.exclude,
      });
    } catch (err) {
      if (err instanceof RedactOutputError) throw outputError(err.file, err.cause, err.isFolder ? 'output folder' : 'output file');
      throw err;
    }
    for (const i of result.issues.slice(0, 20)) {
      process.stderr.write(`apilog: ${sanitize(i.file)}${i.line ? `:${i.line}` : ''}: ${sanitize(i.message)}\n`);
    }
    if (o.quiet !== true) {
      process.stderr.write(
        `${table(
          ['input', 'written to', 'records', 'records changed', 'values masked', 'malformed', 'other skipped'],
          result.files.map((f) => [f.input, f.output ?? '(no copy: no records)', f.records, f.recordsChanged, f.changes, f.malformed, f.skipped]),
          columnsOf(process.stderr),
        )}\n`,
      );
    }
    // A truncated .gz gives a copy that is short of the original: exit 3, as for an unreadable file.
    const unreadable = result.issues.some((i) => losesInput(i.kind));
    return unreadable ? 3 : 0;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  }
}
