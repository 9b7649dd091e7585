/**
 * Route templating: /api/v1/orders/8801 -> /api/v1/orders/{id}, with the ids pulled out. Cached per
 * path string in a bounded insertion-ordered Map (the oldest entry goes first).
 */
import { classifyId, isIdParamName } from './ids.js';
import type { ObjectRef } from './types.js';

export interface Templated {
  template: string;
  ids: ObjectRef[];
}

/** The names of the first path positions, made once rather than per id. */
const PATH_PARAMS = Array.from({ length: 32 }, (_, i) => `path:${i}`);

const NO_IDS: ObjectRef[] = [];
Object.freeze(NO_IDS);

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

function ref(param: string, value: string, kind: ObjectRef['kind']): ObjectRef {
  const r: ObjectRef = { param, value, kind };
  if (kind === 'int') r.numeric = Number(value);
  return r;
}

/**
 * `ids` with `r` appended. The first id starts an array of exactly one (most paths have one id):
 * pushed onto an empty array it would reserve 17 slots, and templated paths are cached.
 */
function addRef(ids: ObjectRef[] | null, r: ObjectRef): ObjectRef[] {
  if (ids === null) return [r];
  ids.push(r);
  return ids;
}

/** Template a concrete path (no query string). Literal segments are lower-cased; ids keep their case. */
export function templatePath(path: string): Templated {
  let out = '';
  let ids: ObjectRef[] | null = null;
  let seg = 0;
  let start = path.charCodeAt(0) === 47 ? 1 : 0;
  for (let i = start; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    const s = path.slice(start, i);
    start = i + 1;
    if (s === '' && i === path.length) break; // trailing slash
    const kind = classifyId(s);
    if (kind) {
      out += kind === 'email' ? '/{email}' : '/{id}';
      ids = addRef(ids, ref(PATH_PARAMS[seg] ?? `path:${seg}`, s, kind));
    } else {
      out += '/' + (hasUpper(s) ? s.toLowerCase() : s);
    }
    seg++;
  }
  return { template: out || '/', ids: ids ?? NO_IDS };
}

/** Ids in a raw query string: values of id-like parameter names that look like ids (or are short words). */
export function queryIds(query: string): ObjectRef[] {
  let ids: ObjectRef[] | null = null;
  let start = 0;
  for (let i = 0; i <= query.length; i++) {
    if (i < query.length && query.charCodeAt(i) !== 38) continue;
    const pair = query.slice(start, i);
    start = i + 1;
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) continue;
    const name = pair.slice(0, eq);
    if (!isIdParamName(name)) continue;
    let value = pair.slice(eq + 1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        /* keep raw */
      }
    }
    for (const v of value.includes(',') ? value.split(',') : [value]) {
      if (v === '' || v.length > 128) continue;
      const kind = classifyId(v) ?? (/^[A-Za-z0-9_.:-]{1,64}$/.test(v) ? 'token' : null);
      if (kind) ids = addRef(ids, ref(`query:${name}`, v, kind));
      if (ids && ids.length >= 20) return ids;
    }
  }
  return ids ?? NO_IDS;
}
