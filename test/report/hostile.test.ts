/**
 * Hostile log content (fixtures/report/hostile.ndjson): ANSI escapes, OSC title + BEL, newlines,
 * CR, C1 CSI, DEL, bidi overrides and isolates, CSV formulas and a 100 KB user agent.
 */
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/report/sanitize.js';
import { ALERT_CSV_COLUMNS, ENTRY_CSV_COLUMNS } from '../../src/report/index.js';
import { options } from './sample-report.js';
import { RAW_UNSAFE, loadHostile, parseCsv, render } from './helpers.js';

const hostile = loadHostile();
const BIG = 100 * 1024;

describe('hostile content in the text report', () => {
  it('prints no raw control, C1 or bidi characters (colour off)', async () => {
    const text = await render(hostile, options({ entriesMode: 'all' }));
    expect(text).not.toMatch(RAW_UNSAFE);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('\r');
    expect(text).not.toContain('\u202e');
  });

  it('shows the dangerous characters escaped instead', async () => {
    const text = await render(hostile, options({ entriesMode: 'all', width: 200 }));
    expect(text).toContain('Title with \\x1b[2J screen clear');
    expect(text).toContain('\\x1b]0;pwned title\\x07');
    expect(text).toContain('Summary line one\\nsecond line');
    expect(text).toContain('\\u202eexe.txt');
    expect(text).toContain('CR\\rhere');
    expect(text).toContain('C1 \\x9b31m');
    expect(text).toContain('DEL \\x7f');
    expect(text).toContain('logs/\\x1b[2Jevil.log');
  });

  it('emits only its own SGR codes when colour is on', async () => {
    const text = await render(hostile, options({ entriesMode: 'all', color: true }));
    const stripped = text.replace(/\u001b\[[0-9;]*m/g, '');
    expect(stripped).not.toMatch(RAW_UNSAFE);
    // No hostile sequence survives as a real escape: [2J, [31m from the log, OSC.
    expect(text).not.toContain('\u001b[2J');
    expect(text).not.toContain('\u001b]');
  });

  it('cuts the 100 KB user agent to the width unless full', async () => {
    const text = await render(hostile, options({ entriesMode: 'all', width: 100 }));
    expect(text).not.toContain('END-OF-UA');
    expect(text.length).toBeLessThan(20_000);
    for (const line of text.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(100);
    expect(text).toContain('…');
  });

  it('prints the whole user agent with full', async () => {
    const text = await render(hostile, options({ entriesMode: 'all', full: true }));
    expect(text).toContain('END-OF-UA');
    expect(text.length).toBeGreaterThan(BIG);
    expect(text).not.toMatch(RAW_UNSAFE);
  });
});

describe('hostile content in CSV', () => {
  it('neutralises formulas and escapes control characters (alerts)', async () => {
    const csv = await render(hostile, options({ format: 'csv' }));
    // Line ends are CRLF and the only CR / LF characters are the record separators.
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(RAW_UNSAFE);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...ALERT_CSV_COLUMNS]);
    expect(rows).toHaveLength(2);
    const row = Object.fromEntries(ALERT_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(row.user).toBe(`'=HYPERLINK("http://evil.example/x","click")`);
    expect(row.summary).toContain('Summary line one\\nsecond line\\x1b]0;pwned title\\x07');
    expect(row.summary).toContain('\\u202eexe.txt');
    expect(row.references).toBe(`'-2+3+cmd; \\u2066isolate\\u2069`);
    expect(row.evidence).toBe('logs/\\x1b[2Jevil.log:7');
    expect(row.user_agent!.length).toBeGreaterThan(BIG);
  });

  it('neutralises formulas after leading whitespace, tab and CR (entries)', async () => {
    const csv = await render(hostile, options({ format: 'csv', csvOf: 'entries', entriesMode: 'all' }));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...ENTRY_CSV_COLUMNS]);
    const row = Object.fromEntries(ENTRY_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    expect(row.user).toBe(`'@SUM(A1:A9)`);
    expect(row.query).toBe(`'\\tq=\\x85\\x9b2J`);
    expect(row.request_id).toBe(`'\\r=cmd`);
    expect(row.flags).toBe(`\\u2066flag\\u2069;   =1+1`);
    expect(row.path).toBe('/a\\x1b[31mred\\u202egnp.exe');
    for (const r of rows.slice(1)) {
      for (const cell of r) expect(cell).not.toMatch(/^\s*[=+\-@]/);
    }
  });
});
