/**
 * Turning failures into one clear line on stderr and an exit code. Stack traces only for real
 * bugs, and only with APILOG_DEBUG=1: a user mistake never shows one.
 */

/** Control characters in a message (paths and values come from the user or the logs) shown escaped. */
export function plain(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

interface WithExit {
  exitCode?: unknown;
  code?: unknown;
  file?: unknown;
}

export function exitCodeFor(err: unknown): number {
  const e = err as WithExit;
  if (typeof e?.exitCode === 'number') return e.exitCode;
  // Mistakes in files the user gave us (rules, baseline, mapping): configuration errors.
  if (err instanceof Error && ['ConfigError', 'BaselineError'].includes(err.name)) return 2;
  if (typeof e?.code === 'string' && ['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM', 'ENOSPC', 'EROFS'].includes(e.code)) return 3;
  return 70; // EX_SOFTWARE: a bug in apilog
}

export function exitWithError(err: unknown): void {
  const code = exitCodeFor(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 70) {
    process.stderr.write(`apilog: internal error: ${plain(message)}\n`);
    if (process.env.APILOG_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('apilog: this is a bug; please report it with APILOG_DEBUG=1 output\n');
  } else {
    process.stderr.write(`apilog: ${plain(message)}\n`);
  }
  process.exitCode = code;
}
