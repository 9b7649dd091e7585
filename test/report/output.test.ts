import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  OutputError,
  installBrokenPipeHandler,
  isBrokenPipe,
  openOutput,
  resolveColor,
  terminalWidth,
  writeChunks,
  writeReport,
} from '../../src/report/index.js';
import { options, sampleReport } from './sample-report.js';
import { tempDirs } from '../helpers/temp.js';

const dir = tempDirs()('apilog-report-');

describe('resolveColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it('obeys always and never whatever the environment', () => {
    expect(resolveColor('always', pipe, { NO_COLOR: '1' })).toBe(true);
    expect(resolveColor('never', tty, { FORCE_COLOR: '1' })).toBe(false);
  });
  it('colours a TTY in auto mode, not a pipe', () => {
    expect(resolveColor('auto', tty, {})).toBe(true);
    expect(resolveColor('auto', pipe, {})).toBe(false);
  });
  it('honours NO_COLOR (non-empty) and TERM=dumb', () => {
    expect(resolveColor('auto', tty, { NO_COLOR: '1' })).toBe(false);
    expect(resolveColor('auto', tty, { NO_COLOR: '' })).toBe(true);
    expect(resolveColor('auto', tty, { TERM: 'dumb' })).toBe(false);
  });
  it('honours FORCE_COLOR, which wins over NO_COLOR', () => {
    expect(resolveColor('auto', pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(resolveColor('auto', pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(resolveColor('auto', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(resolveColor('auto', tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(resolveColor('auto', tty, { FORCE_COLOR: 'false' })).toBe(false);
  });
});

describe('terminalWidth', () => {
  it('uses the TTY columns, else COLUMNS, else 100; at least 40', () => {
    expect(terminalWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(terminalWidth({ isTTY: false }, {})).toBe(100);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: '90' })).toBe(90);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBe(100);
    expect(terminalWidth({ isTTY: true, columns: 20 }, {})).toBe(40);
  });
});

describe('openOutput', () => {
  it('returns stdout for no path and for "-"', async () => {
    const fake = new PassThrough();
    expect((await openOutput(undefined, fake)).stream).toBe(fake);
    expect((await openOutput('-', fake)).isStdout).toBe(true);
  });

  it('closing stdout waits until what was written has gone out (a pipe is written asynchronously)', async () => {
    // A stdout whose writes complete only when released, as a pipe nobody is reading yet.
    const done: Array<() => void> = [];
    const written: string[] = [];
    const slow = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, cb) {
        done.push(() => {
          written.push(chunk.toString());
          cb();
        });
      },
    });
    const out = await openOutput(undefined, slow);
    out.stream.write('{"type":"entry"}\n');
    out.stream.write('{"type":"summary"}\n');
    let closed = false;
    const closing = out.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    while (done.length > 0 || !closed) {
      done.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    await closing;
    expect(written.join('')).toBe('{"type":"entry"}\n{"type":"summary"}\n');
  });

  it('writes a report to a file', async () => {
    const file = path.join(dir, 'report.ndjson');
    const out = await openOutput(file);
    await writeReport(sampleReport(), options({ format: 'ndjson' }), out.stream);
    await out.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toMatchObject({ type: 'summary' });
  });

  it('throws an OutputError naming the path and the reason', async () => {
    const missing = path.join(dir, 'no-such-folder', 'r.json');
    const err = await openOutput(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    expect((err as OutputError).message).toContain(missing);
    expect((err as OutputError).message).toContain('the folder does not exist (ENOENT)');
    expect((err as OutputError).exitCode).toBe(2);

    const err2 = await openOutput(dir).catch((e: unknown) => e);
    expect((err2 as OutputError).message).toMatch(/it is a folder \(EISDIR\)/);
  });

  it('reports a read-only file (unless running as root)', async () => {
    const file = path.join(dir, 'ro.txt');
    writeFileSync(file, '');
    chmodSync(file, 0o444);
    const err = await openOutput(file).catch((e: unknown) => e);
    if (process.getuid?.() === 0) {
      expect(err).not.toBeInstanceOf(Error); // root may write anyway
      await (err as { close(): Promise<void> }).close();
    } else {
      expect((err as OutputError).message).toMatch(/permission denied \(EACCES\)/);
    }
  });
});

describe('broken pipe', () => {
  it('recognises EPIPE and calls the quiet handler instead of throwing', () => {
    const stream = new PassThrough();
    let called = 0;
    const remove = installBrokenPipeHandler(stream, () => {
      called++;
    });
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(isBrokenPipe(epipe)).toBe(true);
    expect(isBrokenPipe(new Error('other'))).toBe(false);
    stream.emit('error', epipe);
    expect(called).toBe(1);
    expect(() => stream.emit('error', new Error('disk on fire'))).toThrow('disk on fire');
    remove();
    expect(stream.listenerCount('error')).toBe(0);
  });

  it('rejects writeReport with the EPIPE error when the reader goes away', async () => {
    const closed = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    closed.on('error', () => {});
    const err = await writeReport(sampleReport(), options({ format: 'ndjson' }), closed).catch((e: unknown) => e);
    expect(isBrokenPipe(err)).toBe(true);
  });
});

describe('writeChunks', () => {
  it('waits for drain and keeps the order', async () => {
    const received: string[] = [];
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _enc, cb) {
        writes++;
        received.push(chunk.toString());
        setImmediate(cb);
      },
    });
    const chunks = Array.from({ length: 500 }, (_, i) => `line ${i}\n`);
    await writeChunks(chunks, slow, 64);
    expect(received.join('')).toBe(chunks.join(''));
    expect(writes).toBeGreaterThan(10);
  });
});
