import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createProgress, progressLine } from '../../src/report/progress.js';

function fakeStderr(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text(): string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; text(): string };
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  s.isTTY = isTTY;
  s.columns = 120;
  s.text = () => chunks.join('');
  return s;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('progress', () => {
  it('formats bytes, events, rate and ETA', () => {
    const line = progressLine(50 * 1024 * 1024, 250_000, 2_000, 200 * 1024 * 1024);
    expect(line).toBe('read 50.0 MiB / 200.0 MiB (25%) · 250k events · 125k events/s · 25.0 MiB/s · ETA 0:06');
    expect(progressLine(1024, 10, 1000)).toBe('read 1.0 KiB · 10 events · 10 events/s · 1.0 KiB/s');
    expect(progressLine(3 * 1024 ** 3, 10, 1000)).toContain('read 3.0 GiB');
  });

  it('draws nothing when disabled or when the stream is not a TTY', async () => {
    for (const [enabled, tty] of [
      [false, true],
      [true, false],
    ] as const) {
      const s = fakeStderr(tty);
      const p = createProgress({ enabled, stream: s, now: () => 0 });
      p.update(10, 1);
      p.done();
      await tick();
      expect(s.text()).toBe('');
    }
  });

  it('redraws at most every 200 ms and clears the line at the end', async () => {
    const s = fakeStderr(true);
    let now = 0;
    const p = createProgress({ enabled: true, stream: s, now: () => now });
    p.setTotal(1000);
    p.update(100, 10); // drawn (first)
    now = 150;
    p.update(200, 20); // skipped
    now = 250;
    p.update(300, 30); // drawn
    p.done();
    p.update(400, 40); // after done: nothing
    await tick();
    const text = s.text();
    expect(text.match(/\r[^\r\u001b]+\u001b\[K/g)).toHaveLength(2);
    expect(text).toContain('(30%)');
    expect(text).toContain('ETA');
    expect(text.endsWith('\r\u001b[K')).toBe(true);
  });

  it('leaves out whole parts that do not fit the terminal, never half of one', () => {
    const full = progressLine(50 * 1024 * 1024, 250_000, 2_000, 200 * 1024 * 1024);
    const at80 = progressLine(50 * 1024 * 1024, 250_000, 2_000, 200 * 1024 * 1024, 79);
    expect(at80).toBe('read 50.0 MiB / 200.0 MiB (25%) · 250k events · 125k events/s · 25.0 MiB/s');
    expect(full.startsWith(at80)).toBe(true);
    expect(progressLine(50 * 1024 * 1024, 250_000, 2_000, 200 * 1024 * 1024, 20)).toBe('read 50.0 MiB / 200.');
  });

  it('clear() erases the line before a message, and the next update draws it again at once', async () => {
    const s = fakeStderr(true);
    let now = 0;
    const p = createProgress({ enabled: true, stream: s, now: () => now });
    p.update(100, 10);
    p.clear();
    s.write('apilog: a.gz: gzip stream error\n');
    now = 10;
    p.update(200, 20);
    p.clear();
    p.clear();
    p.done();
    await tick();
    expect(s.text()).toBe(
      '\rread 100 B · 10 events · 10k events/s · 97.7 KiB/s\u001b[K\r\u001b[Kapilog: a.gz: gzip stream error\n' +
        '\rread 200 B · 20 events · 2000 events/s · 19.5 KiB/s\u001b[K\r\u001b[K',
    );
  });
});
