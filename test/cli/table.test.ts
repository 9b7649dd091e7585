import { describe, expect, it } from 'vitest';
import { fitColumns, table } from '../../src/cli/commands/shared.js';
import { displayWidth } from '../../src/report/sanitize.js';

const widest = (text: string): number => Math.max(...text.split('\n').map(displayWidth));

describe('plain tables of the commands (apilog rules, formats)', () => {
  const routes = Array.from({ length: 40 }, (_, i) => `/**/area${i}/{id}/members/**`);
  const rows = [
    ['after-hours-admin', 'privilegedRoutes', routes, 'rules/detectors.yaml'],
    ['bola-enumeration', 'threshold', 50, 'rules/detectors.yaml'],
  ];

  it('fit the terminal: long lists wrap within their column and nothing is cut', () => {
    for (const width of [80, 100, 160]) {
      const text = table(['detector', 'option', 'value', 'from'], rows, width);
      expect(widest(text), `${width}`).toBeLessThanOrEqual(width);
      // Every route is there whole once the wrapped lines of the value column are joined.
      const cells = text.split('\n').map((l) => l.split('│')[3] ?? '').map((c) => c.trim()).join('');
      for (const r of routes) expect(cells, `${width}: ${r}`).toContain(r);
      expect(text).not.toContain('…');
    }
  });

  it('are as wide as their cells with width 0 (no limit)', () => {
    const text = table(['detector', 'option', 'value', 'from'], rows, 0);
    expect(text.split('\n').some((l) => l.includes(routes.map((r) => JSON.stringify(r)).join(', ')))).toBe(true);
  });

  it('keep narrow columns whole and give the widest the rest', () => {
    expect(fitColumns([['a', 'b'], ['x', 'y']], 80)).toBeUndefined();
    const w = fitColumns([['detector', 'value'], ['after-hours-admin', 'x'.repeat(500)]], 100)!;
    expect(w[0]).toBe(2 + 'after-hours-admin'.length);
    expect(w[0]! + w[1]! + 3).toBe(100);
  });
});
