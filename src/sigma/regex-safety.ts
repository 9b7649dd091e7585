/**
 * Safety checks for `re` values of Sigma rules, which run against attacker-controlled text.
 *
 * Rejected (can take exponential time on a crafted input):
 * - a quantified group that itself contains a quantifier: `(a+)+`, `(\w*x)*`, `(?:a|b+){2,}`;
 * - a quantified group with alternatives: `(a|ab)*`;
 * - back-references (`\1`, `\k<name>`).
 * Also rejected: patterns longer than 4096 characters. A leading or trailing `.*` is dropped (it
 * cannot change whether an unanchored pattern matches, and it is the usual cause of quadratic
 * scans). Remaining single quantifiers are linear per start position; see docs for the residual
 * (polynomial) cost of patterns like `\w+x` on very long values.
 */
import { quantifierAt } from '../util/regex.js';

export interface RegexCheck {
  ok: boolean;
  reason?: string;
  /** The source to compile (leading/trailing `.*` removed). */
  source: string;
}

interface Group {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

export function checkRegex(source: string): RegexCheck {
  if (source.length > 4096) return { ok: false, reason: 'regular expression longer than 4096 characters', source };
  let src = source;
  if (src.startsWith('.*') && !src.startsWith('.*?') && src[2] !== '*' && src[2] !== '+') src = src.slice(2);
  if (src.endsWith('.*') && !src.endsWith('\\.*') && src.length > 2) src = src.slice(0, -2);
  const stack: Group[] = [{ hasQuantifier: false, hasAlternation: false }];
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (!inClass && n !== undefined && ((n >= '1' && n <= '9') || n === 'k')) {
        return { ok: false, reason: `back-reference \\${n} is not allowed in a regular expression`, source };
      }
      i++;
      // A quantifier after an escape applies to one character: fine, but note it.
      const q = quantifierAt(src, i + 1);
      if (!inClass && q.len > 0) {
        stack[stack.length - 1]!.hasQuantifier ||= q.repeats;
        i += q.len;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      else continue;
      const q = quantifierAt(src, i + 1);
      if (q.len > 0) {
        stack[stack.length - 1]!.hasQuantifier ||= q.repeats;
        i += q.len;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (src[i + 1] === '^') i++;
      if (src[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ hasQuantifier: false, hasAlternation: false });
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.hasAlternation = true;
      continue;
    }
    if (c === ')') {
      if (stack.length === 1) return { ok: false, reason: 'unbalanced parenthesis in regular expression', source };
      const g = stack.pop()!;
      const q = quantifierAt(src, i + 1);
      if (q.len > 0 && q.repeats) {
        if (g.hasQuantifier) {
          return { ok: false, reason: 'nested quantifier (a repeated group containing a repetition) can backtrack exponentially', source };
        }
        if (g.hasAlternation) {
          return { ok: false, reason: 'repeated group with alternatives can backtrack exponentially', source };
        }
      }
      const parent = stack[stack.length - 1]!;
      parent.hasQuantifier ||= g.hasQuantifier || (q.len > 0 && q.repeats);
      if (q.len > 0) i += q.len;
      continue;
    }
    const q = quantifierAt(src, i + 1);
    if (q.len > 0) {
      stack[stack.length - 1]!.hasQuantifier ||= q.repeats;
      i += q.len;
    }
  }
  if (inClass) return { ok: false, reason: 'unterminated character class in regular expression', source };
  if (stack.length !== 1) return { ok: false, reason: 'unbalanced parenthesis in regular expression', source };
  return { ok: true, source: src };
}
