/**
 * Output plumbing for the CLI: the -o FILE stream, a quiet end on a closed pipe (`| head`),
 * colour detection and the terminal width.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

/** Exit code the CLI uses for an output file that cannot be written (a usage problem). */
export const OUTPUT_ERROR_EXIT_CODE = 2;

/** `-o FILE` could not be opened or written. The message names the path and the reason. */
export class OutputError extends Error {
  readonly exitCode = OUTPUT_ERROR_EXIT_CODE;
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'OutputError';
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
};

/** Why opening or writing failed, in words: "no space left on the device (ENOSPC)". */
export function describeWriteError(err: unknown): { code: string | undefined; reason: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && REASONS[code]) ?? (err instanceof Error ? err.message : String(err));
  return { code, reason: code ? `${reason} (${code})` : reason };
}

/**
 * An OutputError for an output path (`-o` of any command) that could not be opened or written:
 * one line naming the path and the reason. `what` says what the path is ("output file", "output
 * folder").
 */
export function outputError(file: string, err: unknown, what = 'output file'): OutputError {
  if (err instanceof OutputError) return err;
  const { code, reason } = describeWriteError(err);
  return new OutputError(file, code, `cannot write the ${what} ${JSON.stringify(file)}: ${reason}`);
}

/**
 * Check, before any input is read, that `file` can be created or replaced: it is not a folder and
 * its folder exists. Throws an OutputError otherwise. (For commands that write at the end.)
 */
export function checkOutputFile(file: string, opts: { writable?: boolean } = {}): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw outputError(file, err);
  }
  if (st?.isDirectory()) throw outputError(file, Object.assign(new Error('is a folder'), { code: 'EISDIR' }));
  if (st) {
    if (opts.writable === true) writableOrThrow(file, file);
    return;
  }
  const dir = path.dirname(file);
  let parent: fs.Stats;
  try {
    parent = fs.statSync(dir);
  } catch (err) {
    throw outputError(file, err);
  }
  if (!parent.isDirectory()) throw outputError(file, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }));
  if (opts.writable === true) writableOrThrow(dir, file);
}

/** For a file opened only later: a permission problem is said before the input is read. */
function writableOrThrow(p: string, file: string): void {
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch (err) {
    throw outputError(file, err);
  }
}


export interface OutputTarget {
  stream: NodeJS.WritableStream;
  /** True when writing to the process's stdout. */
  isStdout: boolean;
  /**
   * Flush and close a file; stdout is left open, once all written to it has gone out (a pipe is
   * written asynchronously, and a process.exit() with writes queued would cut the report short).
   * Rejects with OutputError on a write failure of a file.
   */
  close(): Promise<void>;
}

/**
 * Open the report destination: stdout when `file` is undefined or "-", else the file (created or
 * truncated). Throws OutputError naming the path and the reason when it cannot be opened, before
 * anything is analysed.
 */
export async function openOutput(file: string | undefined, stdout: NodeJS.WritableStream = process.stdout): Promise<OutputTarget> {
  if (file === undefined || file === '-') {
    // An empty write's callback runs once every write before it is done.
    return { stream: stdout, isStdout: true, close: () => new Promise<void>((resolve) => stdout.write('', () => resolve())) };
  }
  const stream = fs.createWriteStream(file, { flags: 'w' });
  try {
    await once(stream, 'open');
  } catch (err) {
    throw outputError(file, err);
  }
  let failure: OutputError | undefined;
  stream.on('error', (err) => {
    failure = outputError(file, err);
  });
  return {
    stream,
    isStdout: false,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (failure) {
          reject(failure);
          return;
        }
        // A write that fails after the last write() returned (a small report to a full disk) is
        // reported to end()'s callback, possibly before the 'error' listener above has run.
        stream.end((err?: Error | null) => (failure || err ? reject(failure ?? outputError(file, err)) : resolve()));
        stream.once('error', () => reject(failure));
      }),
  };
}

/** True for the error a write to a closed pipe raises (EPIPE; ERR_STREAM_DESTROYED after it). */
export function isBrokenPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Make a closed stdout (`apilog ... | head`) end the run quietly: on EPIPE, `onBrokenPipe` runs
 * (default: exit with the current exit code, or 0) instead of an uncaught error. Other stream
 * errors are re-thrown. Returns a function that removes the handler.
 */
export function installBrokenPipeHandler(
  stream: NodeJS.WritableStream = process.stdout,
  onBrokenPipe: () => void = () => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0),
): () => void {
  const handler = (err: unknown): void => {
    if (isBrokenPipe(err)) {
      onBrokenPipe();
      return;
    }
    throw err;
  };
  stream.on('error', handler);
  return () => {
    stream.removeListener('error', handler);
  };
}

export type ColorFlag = 'auto' | 'always' | 'never';

/**
 * Whether to colour: `always` / `never` win; `auto` colours a TTY unless NO_COLOR is set
 * (non-empty) or TERM=dumb. FORCE_COLOR (set, other than "0" / "false") forces colour on in
 * auto mode even when not a TTY, and takes precedence over NO_COLOR as in Node itself;
 * FORCE_COLOR=0 or false forces it off.
 */
export function resolveColor(
  flag: ColorFlag,
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag === 'always') return true;
  if (flag === 'never') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return false;
    return true;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Columns of a TTY stream; otherwise COLUMNS when set to a number, else 100. At least 40. */
export function terminalWidth(
  stream: { isTTY?: boolean; columns?: number } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): number {
  let w = 100;
  if (stream.isTTY && typeof stream.columns === 'number' && stream.columns > 0) w = stream.columns;
  else if (env.COLUMNS && /^\d+$/.test(env.COLUMNS)) w = Number(env.COLUMNS);
  return Math.max(40, w);
}

/**
 * Write chunks to a stream with backpressure, coalescing small chunks. Resolves once all is
 * handed to the stream; rejects on a stream error (check isBrokenPipe for a closed pipe).
 */
export async function writeChunks(chunks: Iterable<string>, out: NodeJS.WritableStream, highWater = 64 * 1024): Promise<void> {
  let failed: unknown;
  let onError: ((err: unknown) => void) | undefined;
  const errored = new Promise<never>((_, reject) => {
    onError = (err: unknown) => {
      failed = err;
      reject(err);
    };
    out.on('error', onError);
  });
  errored.catch(() => {});
  try {
    let buf = '';
    const flush = async (): Promise<void> => {
      if (buf === '') return;
      const data = buf;
      buf = '';
      if (failed) throw failed;
      if (!out.write(data)) {
        await Promise.race([once(out as unknown as NodeJS.EventEmitter, 'drain'), errored]);
      }
    };
    for (const chunk of chunks) {
      buf += chunk;
      if (buf.length >= highWater) await flush();
    }
    await flush();
    if (failed) throw failed;
  } finally {
    if (onError) out.removeListener('error', onError);
  }
}
