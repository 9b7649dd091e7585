/** Reading regular-expression sources, for the safety checks of rules (src/rules) and Sigma (src/sigma). */

/** The quantifier at `src[i]` (`*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, lazy or not): its length, and whether it repeats (max > 1). */
export function quantifierAt(src: string, i: number): { len: number; repeats: boolean } {
  const c = src[i];
  let len = 0;
  let repeats = false;
  if (c === '*' || c === '+') {
    len = 1;
    repeats = true;
  } else if (c === '?') {
    len = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
    if (m) {
      len = m[0].length;
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
      repeats = hi > 1;
    }
  }
  if (len > 0 && src[i + len] === '?') len++;
  return { len, repeats };
}
