/**
 * Sigma string values: `*` (any run) and `?` (one character) wildcards with backslash escapes, matched
 * without regular expressions in O(text × pattern) worst case (no backtracking blow-up).
 *
 * Escapes follow the Sigma specification: `\*`, `\?` and `\\` are literal `*`, `?` and `\`; a
 * backslash before any other character is itself literal (`C:\Windows`).
 */

export type Token = { lit: string } | { any: true } | { one: true };

/** Split a Sigma value into literals and wildcards. */
export function parseSigmaString(s: string): Token[] {
  const out: Token[] = [];
  let lit = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += c;
      }
    } else if (c === '*' || c === '?') {
      if (lit) out.push({ lit });
      lit = '';
      if (c === '*') {
        const prev = out[out.length - 1];
        if (!(prev && 'any' in prev)) out.push({ any: true });
      } else {
        out.push({ one: true });
      }
    } else {
      lit += c;
    }
  }
  if (lit) out.push({ lit });
  return out;
}

/** The value as plain text when it has no wildcards, else null. */
export function plainText(tokens: Token[]): string | null {
  if (tokens.length === 0) return '';
  if (tokens.length === 1 && 'lit' in tokens[0]!) return tokens[0].lit;
  return null;
}

/**
 * A compiled wildcard pattern. `kind` lets common shapes use native string methods: exact value,
 * prefix (`abc*`), suffix (`*abc`), substring (`*abc*`), else the general matcher.
 */
export interface Glob {
  kind: 'exact' | 'prefix' | 'suffix' | 'contains' | 'general';
  lit: string;
  /** General: chunks between `*`; `?` inside a chunk is stored as \u0000 marker positions. */
  chunks: Array<{ text: string; ones: boolean }>;
  anchoredStart: boolean;
  anchoredEnd: boolean;
  /** Minimum text length that can match. */
  minLength: number;
}

const ONE = '\u0000';

export function compileGlob(tokens: Token[], lower: boolean): Glob {
  const norm = (t: string): string => (lower ? t.toLowerCase() : t);
  const anchoredStart = !(tokens.length > 0 && 'any' in tokens[0]!);
  const anchoredEnd = !(tokens.length > 0 && 'any' in tokens[tokens.length - 1]!);
  const chunks: Array<{ text: string; ones: boolean }> = [];
  let cur = '';
  let ones = false;
  let minLength = 0;
  for (const t of tokens) {
    if ('any' in t) {
      if (cur) chunks.push({ text: cur, ones });
      cur = '';
      ones = false;
    } else if ('one' in t) {
      cur += ONE;
      ones = true;
      minLength++;
    } else {
      const l = norm(t.lit);
      cur += l;
      minLength += l.length;
    }
  }
  if (cur) chunks.push({ text: cur, ones });
  const anyOnes = chunks.some((c) => c.ones);
  let kind: Glob['kind'] = 'general';
  let lit = '';
  if (!anyOnes && chunks.length <= 1) {
    lit = chunks[0]?.text ?? '';
    if (anchoredStart && anchoredEnd) kind = 'exact';
    else if (anchoredStart) kind = 'prefix';
    else if (anchoredEnd) kind = 'suffix';
    else kind = 'contains';
  }
  return { kind, lit, chunks, anchoredStart, anchoredEnd, minLength };
}

function chunkAt(text: string, pos: number, chunk: string): boolean {
  if (pos + chunk.length > text.length) return false;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c !== 0 && c !== text.charCodeAt(pos + i)) return false;
  }
  return true;
}

function findChunk(text: string, from: number, chunk: { text: string; ones: boolean }): number {
  if (!chunk.ones) return text.indexOf(chunk.text, from);
  const last = text.length - chunk.text.length;
  for (let p = from; p <= last; p++) if (chunkAt(text, p, chunk.text)) return p;
  return -1;
}

/** Whether `text` (already lower-cased when the glob was compiled with `lower`) matches. */
export function globMatch(g: Glob, text: string): boolean {
  switch (g.kind) {
    case 'exact':
      return text === g.lit;
    case 'prefix':
      return text.startsWith(g.lit);
    case 'suffix':
      return text.endsWith(g.lit);
    case 'contains':
      return text.includes(g.lit);
    default:
      break;
  }
  if (text.length < g.minLength) return false;
  const chunks = g.chunks;
  if (chunks.length === 0) return !g.anchoredStart || !g.anchoredEnd || text.length === 0;
  let pos = 0;
  let i = 0;
  let endLimit = text.length;
  if (g.anchoredEnd) {
    const lastChunk = chunks[chunks.length - 1]!;
    const at = text.length - lastChunk.text.length;
    if (at < 0 || !chunkAt(text, at, lastChunk.text)) return false;
    if (chunks.length === 1 && g.anchoredStart) return at === 0;
    endLimit = at;
  }
  const lastFree = g.anchoredEnd ? chunks.length - 1 : chunks.length;
  if (g.anchoredStart) {
    const c0 = chunks[0]!;
    if (!chunkAt(text, 0, c0.text)) return false;
    pos = c0.text.length;
    i = 1;
    if (chunks.length === 1) return !g.anchoredEnd || pos === text.length;
  }
  for (; i < lastFree; i++) {
    const c = chunks[i]!;
    const at = findChunk(text, pos, c);
    if (at < 0 || at + c.text.length > endLimit) return false;
    pos = at + c.text.length;
  }
  return pos <= endLimit;
}
