import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Run openSource({ kind: 'stdin' }) in a child process (built dist/, see test/global-setup.ts). */
function viaStdin(input: Buffer | string): { recs: Array<[number, unknown, string]>; issues: Array<{ kind: string; file: string; line?: number }>; stats: Record<string, unknown> } {
  const mod = pathToFileURL(path.join(ROOT, 'dist/ingest/index.js')).href;
  const script = `
    import { openSource, DEFAULT_INGEST_LIMITS } from ${JSON.stringify(mod)};
    const issues = [];
    const s = openSource({ path: '-', kind: 'stdin' }, DEFAULT_INGEST_LIMITS, (i) => issues.push(i));
    const recs = [];
    for await (const b of s.batches()) for (const r of b) recs.push([r.source.line, r.value, r.source.file]);
    process.stdout.write(JSON.stringify({ recs, issues, stats: s.stats }));
  `;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { input, encoding: 'utf8' });
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  return JSON.parse(res.stdout) as ReturnType<typeof viaStdin>;
}

describe('stdin', () => {
  it('reads NDJSON from standard input with "-" as the file', () => {
    const out = viaStdin('{"a":1}\nnot json\n{"a":2}\n');
    expect(out.recs).toEqual([
      [1, { a: 1 }, '-'],
      [3, { a: 2 }, '-'],
    ]);
    expect(out.issues).toMatchObject([{ kind: 'not-json', file: '-', line: 2 }]);
    expect(out.stats).toMatchObject({ path: '-', records: 2 });
  });

  it('reads gzip from standard input', () => {
    const out = viaStdin(zlib.gzipSync('[{"a":1},\n{"a":2}]'));
    expect(out.recs).toEqual([
      [1, { a: 1 }, '-'],
      [2, { a: 2 }, '-'],
    ]);
    expect(out.stats).toMatchObject({ gzip: true, container: 'json-array' });
  });
});
