/** Nesting-depth checks on JSON text (JSON.parse itself accepts any depth; later stages recurse). */

/**
 * True when the JSON text `s` nests deeper than `max` levels of objects/arrays.
 * Exact for text that JSON.parse accepts (on other text it may err either way; callers skip
 * such text anyway, so they may ask before parsing): a balanced value nested d deep holds at least
 * 2·d brackets, so short text is answered without a scan, and a plain bracket count (which
 * over-counts brackets inside strings) settles almost everything else.
 */
export function exceedsDepth(s: string, max: number): boolean {
  const n = s.length;
  if (n <= 2 * max) return false;
  let opens = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) opens++;
  }
  if (opens <= max) return false;
  let depth = 0;
  let inStr = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
    } else if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
