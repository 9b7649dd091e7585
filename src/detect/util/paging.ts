/**
 * Pagination parameters (scraping's `paginationParams`). Paging one list endpoint (?cursor=<token>,
 * ?page=7, ?offset=300, JSON:API's ?page[after]=...) reads one resource family, not a new resource per
 * page: a nightly job paging GET /api/orders?cursor=... had every page counted as a distinct URL, and
 * was reported as high scraping. So the distinct-URL key leaves these parameters out, and no id is
 * taken from them (?since_id= and ?after_id= are id parameters by their names).
 *
 * Names are compared without case (APIs spell them pageToken, PageToken, NextToken) and a bracketed
 * name by its base (page[size] as page).
 */

/** The query parameter name that is refused as a pagination parameter, or null when it is fine. */
export function pagingNameProblem(name: string): string | null {
  if (name === '') return 'expected a query parameter name, got ""';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    // '&', '=', '?', '#', '[' and blanks cannot be part of one parameter's base name.
    if (c <= 32 || c === 38 || c === 61 || c === 63 || c === 35 || c === 91) return `expected a query parameter name (no &, =, ?, #, [ or spaces), got ${JSON.stringify(name)}`;
  }
  return null;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

export class PagingParams {
  private readonly names: ReadonlySet<string>;
  /** The same names as object-ref params ("query:NAME"), so ref() needs no slice of its own. */
  private readonly refs: ReadonlySet<string>;

  constructor(names: readonly string[]) {
    this.names = new Set(names.map((n) => n.toLowerCase()));
    this.refs = new Set([...this.names].map((n) => `query:${n}`));
  }

  /** Whether a query parameter name is a paging one. */
  has(name: string): boolean {
    let base = name;
    const bracket = name.indexOf('[');
    if (bracket > 0) base = name.slice(0, bracket);
    else {
      const enc = name.indexOf('%5');
      if (enc > 0 && (name.charCodeAt(enc + 2) | 32) === 98) base = name.slice(0, enc); // %5B, an encoded "["
    }
    return this.names.has(base) || (hasUpper(base) && this.names.has(base.toLowerCase()));
  }

  /**
   * Whether an object ref's position ("query:NAME", "path:N") is a paging parameter. Called per
   * event: path refs are told by their first letter, and a name is lower-cased only when it has
   * capitals.
   */
  ref(param: string): boolean {
    if (param.charCodeAt(0) !== 113 || this.names.size === 0) return false; // not "query:..."
    return this.refs.has(param) || (hasUpper(param) && this.refs.has(param.toLowerCase()));
  }

  /** The query without its paging parameters: the very same string when it has none. */
  strip(query: string): string {
    if (this.names.size === 0) return query;
    let out: string | null = null;
    let start = 0;
    for (let i = 0; i <= query.length; i++) {
      if (i < query.length && query.charCodeAt(i) !== 38) continue; // '&'
      const eq = query.indexOf('=', start);
      const nameEnd = eq >= 0 && eq < i ? eq : i;
      const paging = nameEnd > start && this.has(query.slice(start, nameEnd));
      if (paging) {
        // The first dropped pair: the pairs kept so far become the result.
        out ??= query.slice(0, Math.max(0, start - 1));
      } else if (out !== null) {
        const pair = query.slice(start, i);
        out = out === '' ? pair : `${out}&${pair}`;
      }
      start = i + 1;
    }
    return out ?? query;
  }
}
