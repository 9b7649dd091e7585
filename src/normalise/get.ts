/**
 * Field access for records whose keys come dotted (`{"http.request.method": ..}`), nested
 * (`{"http":{"request":{"method": ..}}}`), mixed, or with a different letter case.
 *
 * - `get(o, path)` is the generic, forgiving lookup (literal dotted key, nested walk, mixed
 *   groupings, then case-insensitive). Use it outside the hot path.
 * - `compilePath(path)` returns a getter with the exact-case variants precomputed: the hot path.
 * - `resolvePath(o, path)` says which actual keys matched, so a getter can be compiled on the
 *   spelling a file really uses (`compileSegments`).
 */

export type Rec = Record<string, unknown>;
export type Getter = (o: unknown) => unknown;

export function isObj(v: unknown): v is Rec {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every way to group consecutive path segments into keys: literal first, fully nested second. */
function groupings(segs: string[]): string[][] {
  const n = segs.length;
  const out: string[][] = [];
  // Bit i set = a split between segs[i] and segs[i+1].
  const total = 1 << (n - 1);
  const masks: number[] = [];
  for (let m = 0; m < total; m++) masks.push(m);
  // Literal (no splits), then fully nested (all splits), then the rest by number of splits.
  const bits = (m: number): number => {
    let c = 0;
    for (let x = m; x; x &= x - 1) c++;
    return c;
  };
  masks.sort((a, b) => {
    const rank = (m: number): number => (m === 0 ? -2 : m === total - 1 ? -1 : bits(m));
    return rank(a) - rank(b) || a - b;
  });
  for (const m of masks) {
    const keys: string[] = [];
    let cur = segs[0] as string;
    for (let i = 1; i < n; i++) {
      if (m & (1 << (i - 1))) {
        keys.push(cur);
        cur = segs[i] as string;
      } else {
        cur += '.' + (segs[i] as string);
      }
    }
    keys.push(cur);
    out.push(keys);
  }
  return out;
}

function walk(o: unknown, keys: readonly string[]): unknown {
  let cur = o;
  for (let i = 0; i < keys.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Rec)[keys[i] as string];
  }
  return cur;
}

const MAX_SEGMENTS = 6;

/**
 * Generates a getter that tries each key grouping in turn. The keys are string literals in the
 * generated code (JSON.stringify: always a valid, inert literal), so every getter has its own
 * monomorphic property-load sites instead of one shared megamorphic `o[k]`: this is what makes
 * the per-format accessors "compiled" on the hot path.
 */
function generate(variants: readonly (readonly string[])[]): Getter {
  const lines: string[] = ["if (o === null || typeof o !== 'object') return undefined;", 'let v, x;'];
  for (const keys of variants) {
    if (keys.length === 1) {
      lines.push(`v = o[${JSON.stringify(keys[0])}]; if (v !== undefined) return v;`);
      continue;
    }
    let code = `v = x[${JSON.stringify(keys[keys.length - 1])}]; if (v !== undefined) return v;`;
    for (let i = keys.length - 2; i >= 1; i--) {
      code = `x = x[${JSON.stringify(keys[i])}]; if (x !== null && typeof x === 'object') { ${code} }`;
    }
    lines.push(`x = o[${JSON.stringify(keys[0])}]; if (x !== null && typeof x === 'object') { ${code} }`);
  }
  lines.push('return undefined;');
  return new Function('o', lines.join('\n')) as Getter;
}

/** A getter for an exact-case path: tries the literal dotted key, the nested walk, then mixed forms. */
export function compilePath(path: string): Getter {
  const segs = path.split('.');
  if (segs.length === 1 || segs.some((s) => s === '')) return generate([[path]]);
  if (segs.length > MAX_SEGMENTS) return generate([[path], segs]);
  return generate(groupings(segs));
}

/** A getter over keys already resolved (exact spelling, no dot splitting). */
export function compileSegments(keys: readonly string[]): Getter {
  return generate([keys]);
}

function ownKeyCi(o: Rec, key: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(o, key)) return key;
  const lk = key.toLowerCase();
  for (const k in o) {
    if (k.toLowerCase() === lk && Object.prototype.hasOwnProperty.call(o, k)) return k;
  }
  return undefined;
}

/**
 * Which actual keys spell `path` in `o`: literal dotted key first, then nested and mixed
 * groupings, each exact-case first and case-insensitive second. Arrays are indexed by numeric
 * segments. Returns null when nothing matches.
 */
export function resolvePath(o: unknown, path: string): string[] | null {
  if (o === null || typeof o !== 'object') return null;
  const segs = path.split('.');
  const variants = segs.length > MAX_SEGMENTS ? [[path], segs] : segs.length === 1 ? [[path]] : groupings(segs);
  for (const exact of [true, false]) {
    for (const keys of variants) {
      const found: string[] = [];
      let cur: unknown = o;
      let ok = true;
      for (const k of keys) {
        if (cur === null || typeof cur !== 'object') {
          ok = false;
          break;
        }
        const actual = exact
          ? Object.prototype.hasOwnProperty.call(cur, k)
            ? k
            : undefined
          : ownKeyCi(cur as Rec, k);
        if (actual === undefined) {
          ok = false;
          break;
        }
        found.push(actual);
        cur = (cur as Rec)[actual];
      }
      if (ok && cur !== undefined) return found;
    }
  }
  return null;
}

/** Forgiving lookup: literal dotted key, nested walk, mixed groupings, then case-insensitive. */
export function get(o: unknown, path: string): unknown {
  const keys = resolvePath(o, path);
  return keys === null ? undefined : walk(o, keys);
}

/**
 * A read-only view of a record whose key lookups fall back to case-insensitive matching, at
 * every depth. Used for files whose producer lowercased the keys (e.g. `httprequest`), so the
 * exact-case format code still works on them. Slower: only for files that need it.
 */
export function caseInsensitiveView(o: Rec): Rec {
  return wrapCi(o) as Rec;
}

const ciCache = new WeakMap<object, object>();

function wrapCi(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const hit = ciCache.get(v);
  if (hit) return hit;
  const p = new Proxy(v, {
    get(target, key) {
      if (typeof key !== 'string') return (target as Record<string | symbol, unknown>)[key];
      const t = target as Rec;
      const own = Object.prototype.hasOwnProperty.call(t, key) ? key : ownKeyCi(t, key);
      return own === undefined ? undefined : wrapCi(t[own]);
    },
    has(target, key) {
      if (typeof key !== 'string') return key in target;
      return ownKeyCi(target as Rec, key) !== undefined;
    },
  });
  ciCache.set(v, p);
  return p;
}
