import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/report/csv.js';
import { fitWidths, resample, sparkline, wrap } from '../../src/report/layout.js';
import { displayWidth, escapeJsonText, safeJson, sanitize, truncate } from '../../src/report/sanitize.js';
import { RAW_UNSAFE } from './helpers.js';

describe('sanitize', () => {
  it('escapes controls, DEL, C1 and bidi characters visibly', () => {
    expect(sanitize('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(sanitize('x\ny\rz\t')).toBe('x\\ny\\rz\\t');
    expect(sanitize('\u0007\u007f\u0085\u009b')).toBe('\\x07\\x7f\\x85\\x9b');
    expect(sanitize('\u202aA\u202eB\u2066C\u2069')).toBe('\\u202aA\\u202eB\\u2066C\\u2069');
    expect(sanitize('\u2028\u200f\ufeff')).toBe('\\u2028\\u200f\\ufeff');
    expect(sanitize('\ud800x')).toBe('\\ud800x');
    expect(sanitize('plain text, café, 東京, 😀')).toBe('plain text, café, 東京, 😀');
    expect(sanitize(undefined)).toBe('');
    expect(sanitize(404)).toBe('404');
  });

  it('never leaves an unsafe character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(sanitize(s)).not.toMatch(RAW_UNSAFE);
        expect(sanitize(s)).not.toMatch(/\n/);
      }),
      { numRuns: 500 },
    );
  });

  it('escapes JSON text without changing its value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (v, s) => {
        const value = { v, s };
        const text = safeJson(value);
        expect(text).not.toMatch(RAW_UNSAFE);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
    expect(escapeJsonText('"a\u0085\u202e"')).toBe('"a\\u0085\\u202e"');
  });
});

describe('truncate and width', () => {
  it('cuts to the width with an ellipsis, counting wide characters as two', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('東京都庁', 5)).toBe('東京…');
    expect(displayWidth('東京…')).toBe(5);
    expect(truncate('a😀b', 3)).toBe('a…'); // never splits the surrogate pair
    expect(truncate('a😀b', 4)).toBe('a😀b');
  });

  it('never exceeds the width (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 50 }), (s, w) => {
        expect(displayWidth(truncate(sanitize(s), w))).toBeLessThanOrEqual(w);
      }),
      { numRuns: 500 },
    );
  });
});

describe('csv cells', () => {
  it('neutralises formula triggers and quotes per RFC 4180', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('  =x')).toBe("'  =x");
    expect(csvCell('\t=x')).toBe("'\\t=x");
    expect(csvCell('\rx')).toBe("'\\rx");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("u","x")')).toBe(`"'=HYPERLINK(""u"",""x"")"`);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('a\nb')).toBe('a\\nb');
  });
});

describe('layout helpers', () => {
  it('draws a sparkline with spaces for zero and a full block for the peak', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe(' ▁▂▄█');
    expect(sparkline([0, 0])).toBe('  ');
  });

  it('resamples by summing groups', () => {
    expect(resample([1, 2, 3, 4, 5], 2)).toEqual({ values: [6, 9], group: 3 });
    expect(resample([1, 2], 5)).toEqual({ values: [1, 2], group: 1 });
  });

  it('shrinks the widest columns first, never below their minimum', () => {
    expect(fitWidths([30, 10, 5], 30, [6, 6, 6], new Set())).toEqual([15, 10, 5]);
    expect(fitWidths([30, 30], 20, [6, 6], new Set([1]))).toEqual([6, 30]);
  });

  it('wraps words and hard-cuts long ones, with a line limit', () => {
    expect(wrap('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
    expect(wrap('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    const limited = wrap('a '.repeat(100), 10, 2);
    expect(limited).toHaveLength(2);
    expect(limited[1]!.endsWith('…')).toBe(true);
  });
});
