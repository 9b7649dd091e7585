/**
 * A problem in a rules file, a command-line option or a detector option. Always names the file
 * (or option) and the dotted key, so the user can find and fix it.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly key: string;
  readonly expected?: string;
  readonly got?: unknown;

  constructor(opts: { file: string; key: string; expected?: string; got?: unknown; message?: string }) {
    const where = opts.key ? `${opts.file}: ${opts.key}` : opts.file;
    const detail =
      opts.message ?? `expected ${opts.expected ?? 'a valid value'}, got ${describeValue(opts.got)}`;
    super(`${where}: ${detail}`);
    this.name = 'ConfigError';
    this.file = opts.file;
    this.key = opts.key;
    if (opts.expected !== undefined) this.expected = opts.expected;
    if ('got' in opts) this.got = opts.got;
  }
}

/** A short, printable rendering of a bad value for error messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list (${v.length} items)`;
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
