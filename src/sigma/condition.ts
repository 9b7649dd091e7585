/**
 * Sigma conditions: a small recursive-descent parser.
 *
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' expr ')' | quant | IDENT
 *   quant   := (NUMBER | 'all' | 'any') 'of' (PATTERN | 'them')
 *
 * Precedence, loosest first: or, and, not, x of, parentheses (as the specification states).
 * `them` covers every search identifier not starting with `_`. A pipe (`| count() ...`) is the old
 * aggregation syntax and `near` the old temporal one: both are rejected.
 */
import { SigmaRuleError } from './types.js';

export type CondNode =
  | { t: 'id'; name: string }
  | { t: 'not'; a: CondNode }
  | { t: 'and'; items: CondNode[] }
  | { t: 'or'; items: CondNode[] }
  | { t: 'of'; count: number | 'all'; names: string[] };

type Tok = { k: 'word'; v: string } | { k: 'lp' } | { k: 'rp' };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(') {
      out.push({ k: 'lp' });
      i++;
    } else if (c === ')') {
      out.push({ k: 'rp' });
      i++;
    } else if (c === '|') {
      throw new SigmaRuleError('aggregation in the condition ("| count() ...") is not supported; apilog runs single-event rules');
    } else if (/[A-Za-z0-9_*\-.]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_*\-.]/.test(src[j]!)) j++;
      out.push({ k: 'word', v: src.slice(i, j) });
      i = j;
    } else {
      throw new SigmaRuleError(`unexpected character "${c}" in condition`);
    }
  }
  return out;
}

function patternToRegExp(p: string): RegExp {
  const esc = p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`);
}

/** Parse a condition; `identifiers` are the rule's search identifiers (for `them` and patterns). */
export function parseCondition(src: string, identifiers: readonly string[]): CondNode {
  const toks = tokenize(src);
  let pos = 0;
  const peekWord = (): string | null => {
    const t = toks[pos];
    return t && t.k === 'word' ? t.v.toLowerCase() : null;
  };
  const expect = (k: 'lp' | 'rp'): void => {
    const t = toks[pos];
    if (!t || t.k !== k) throw new SigmaRuleError(`condition "${src}": expected "${k === 'rp' ? ')' : '('}"`);
    pos++;
  };

  const expandPattern = (pattern: string): string[] => {
    if (pattern.toLowerCase() === 'them') return identifiers.filter((n) => !n.startsWith('_'));
    const re = patternToRegExp(pattern);
    const names = identifiers.filter((n) => re.test(n));
    if (names.length === 0) throw new SigmaRuleError(`condition "${src}": "${pattern}" matches no search identifier`);
    return names;
  };

  const parseOr = (): CondNode => {
    const items = [parseAnd()];
    while (peekWord() === 'or') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  };
  const parseAnd = (): CondNode => {
    const items = [parseNot()];
    while (peekWord() === 'and') {
      pos++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  };
  const parseNot = (): CondNode => {
    if (peekWord() === 'not') {
      pos++;
      return { t: 'not', a: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): CondNode => {
    const t = toks[pos];
    if (!t) throw new SigmaRuleError(`condition "${src}" ends too early`);
    if (t.k === 'lp') {
      pos++;
      const e = parseOr();
      expect('rp');
      return e;
    }
    if (t.k === 'rp') throw new SigmaRuleError(`condition "${src}": unexpected ")"`);
    const w = t.v.toLowerCase();
    const next = toks[pos + 1];
    if (next && next.k === 'word' && next.v.toLowerCase() === 'of') {
      let count: number | 'all';
      if (w === 'all') count = 'all';
      else if (w === 'any') count = 1;
      else if (/^\d+$/.test(w) && Number(w) >= 1) count = Number(w);
      else throw new SigmaRuleError(`condition "${src}": "${t.v} of" needs a number, "any" or "all"`);
      const target = toks[pos + 2];
      if (!target || target.k !== 'word') throw new SigmaRuleError(`condition "${src}": "of" needs an identifier pattern or "them"`);
      pos += 3;
      return { t: 'of', count, names: expandPattern(target.v) };
    }
    if (w === 'and' || w === 'or' || w === 'of' || w === 'them') throw new SigmaRuleError(`condition "${src}": unexpected "${t.v}"`);
    if (w === 'near') throw new SigmaRuleError('"near" (temporal condition) is not supported; apilog runs single-event rules');
    if (t.v.includes('*')) throw new SigmaRuleError(`condition "${src}": a pattern like "${t.v}" needs "1 of" or "all of"`);
    if (!identifiers.includes(t.v)) throw new SigmaRuleError(`condition "${src}": unknown search identifier "${t.v}"`);
    pos++;
    return { t: 'id', name: t.v };
  };

  const node = parseOr();
  if (pos < toks.length) {
    const t = toks[pos]!;
    if (t.k === 'word' && t.v.toLowerCase() === 'near') {
      throw new SigmaRuleError('"near" (temporal condition) is not supported; apilog runs single-event rules');
    }
    throw new SigmaRuleError(`condition "${src}": unexpected ${t.k === 'word' ? `"${t.v}"` : t.k === 'lp' ? '"("' : '")"'}`);
  }
  return node;
}

/** Compile a condition tree into a predicate over the selections' results. */
export function compileCondition(node: CondNode, selection: (name: string) => () => boolean): () => boolean {
  switch (node.t) {
    case 'id':
      return selection(node.name);
    case 'not': {
      const a = compileCondition(node.a, selection);
      return () => !a();
    }
    case 'and': {
      const items = node.items.map((n) => compileCondition(n, selection));
      return () => {
        for (const f of items) if (!f()) return false;
        return true;
      };
    }
    case 'or': {
      const items = node.items.map((n) => compileCondition(n, selection));
      return () => {
        for (const f of items) if (f()) return true;
        return false;
      };
    }
    case 'of': {
      const items = node.names.map((n) => selection(n));
      if (node.count === 'all') {
        return () => {
          for (const f of items) if (!f()) return false;
          return true;
        };
      }
      const need = node.count;
      return () => {
        let n = 0;
        for (const f of items) if (f() && ++n >= need) return true;
        return false;
      };
    }
    default:
      throw new SigmaRuleError('bad condition');
  }
}
