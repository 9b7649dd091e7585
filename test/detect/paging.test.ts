import { describe, expect, it } from 'vitest';
import { PagingParams, pagingNameProblem } from '../../src/detect/util/paging.js';
import { scraping } from '../../src/detect/detectors/scraping.js';

const p = new PagingParams(scraping.meta.options.paginationParams);

describe('pagination parameters', () => {
  it('strips paging parameters from a query and keeps the rest in order', () => {
    expect(p.strip('cursor=eyJhZnRlciI6MTAwfQ&limit=100')).toBe('');
    expect(p.strip('q=shoes&page=3&sort=price')).toBe('q=shoes&sort=price');
    expect(p.strip('page=3&q=shoes')).toBe('q=shoes');
    expect(p.strip('q=shoes&offset=300')).toBe('q=shoes');
    expect(p.strip('starting_after=obj_9&status=paid&ending_before=obj_1')).toBe('status=paid');
    // Without case; JSON:API's page[...] by its base name, also percent-encoded.
    expect(p.strip('PageToken=abc&NextToken=def&filter=x')).toBe('filter=x');
    expect(p.strip('page[after]=x&page%5Bsize%5D=50&filter[status]=open')).toBe('filter[status]=open');
    // Names that only contain a paging word are other parameters; a flag without a value too.
    expect(p.strip('pages=2&next_day=1&cursorless')).toBe('pages=2&next_day=1&cursorless');
    expect(p.strip('cursor')).toBe('');
  });

  it('returns the very same string when nothing is stripped (no copy on the common path)', () => {
    const q = ['q', 'shoes&sort=price'].join('=');
    expect(p.strip(q)).toBe(q);
    expect(new PagingParams([]).strip('cursor=1')).toBe('cursor=1');
  });

  it('tells object refs in paging parameters from others', () => {
    expect(p.ref('query:since_id')).toBe(true);
    expect(p.ref('query:Since_Id')).toBe(true);
    expect(p.ref('query:user_id')).toBe(false);
    expect(p.ref('path:3')).toBe(false);
    expect(new PagingParams([]).ref('query:since_id')).toBe(false);
  });

  it('refuses names that cannot be one parameter', () => {
    expect(pagingNameProblem('cursor')).toBeNull();
    expect(pagingNameProblem('$skiptoken')).toBeNull();
    expect(pagingNameProblem('')).toMatch(/parameter name/);
    expect(pagingNameProblem('page=1')).toMatch(/no &, =/);
    expect(pagingNameProblem('page[size]')).toMatch(/got "page\[size\]"/);
    expect(pagingNameProblem('next token')).toMatch(/spaces/);
  });
});
