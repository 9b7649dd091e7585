import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expandInputs } from '../../src/ingest/index.js';
import { tempDirs } from '../helpers/temp.js';

const tempDir = tempDirs();

describe('expandInputs with dropIdentical', () => {
  const dir = tempDir('apilog-identical-');
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  };
  const a = file('a.ndjson', '{"a":1}\n');
  const b = file('b.ndjson', '{"a":1}\n');
  const c = file('c.ndjson', '{"a":2}\n'); // same size, other bytes
  const e1 = file('empty1.ndjson', '');
  const e2 = file('empty2.ndjson', '');

  it('reads a file with the same bytes as an earlier input once, and says which', async () => {
    const r = await expandInputs([a, b, c], { dropIdentical: true });
    expect(r.sources.map((s) => s.path)).toEqual([a, c]);
    expect(r.identical).toEqual([{ path: b, sameAs: a }]);
  });

  it('keeps every file without the option, and empty files always', async () => {
    expect((await expandInputs([a, b])).sources).toHaveLength(2);
    expect((await expandInputs([e1, e2], { dropIdentical: true })).sources).toHaveLength(2);
  });

  it('a rotated file left both plain and gzipped is one log: read once (the first given)', async () => {
    const sub = tempDir('apilog-identical-gz-');
    const text = Array.from({ length: 50 }, (_, i) => `{"i":${i}}`).join('\n') + '\n';
    const plain = path.join(sub, 'access.log.1');
    const gz = path.join(sub, 'access.log.1.gz');
    const other = path.join(sub, 'other.log.gz');
    fs.writeFileSync(plain, text);
    fs.writeFileSync(gz, zlib.gzipSync(text));
    // Same content size, other content: both read.
    fs.writeFileSync(other, zlib.gzipSync(text.replace('"i":7}', '"i":8}')));
    const r = await expandInputs([plain, gz, other], { dropIdentical: true });
    expect(r.sources.map((s) => s.path)).toEqual([plain, other]);
    expect(r.identical).toEqual([{ path: gz, sameAs: plain }]);
  });

  it('finds copies inside a folder too, keeping the first in walk order', async () => {
    const r = await expandInputs([dir], { dropIdentical: true, include: ['*.ndjson'] });
    expect(r.identical.map((d) => path.basename(d.path))).toEqual(['b.ndjson']);
  });
});
