/**
 * Stdin and pipes under --threads: read ahead to learn whether the input is worth another thread,
 * then forwarded chunk by chunk to the other threads, with a bounded amount in flight.
 */
import { describe, expect, it } from 'vitest';
import { FORWARD_WINDOW, forwardChannel, forwardedBytes, readAhead, replay } from '../../src/analyze/forward.js';

const MB = 1024 * 1024;

/** An iterator over `chunks`, each after `delayMs`; then the end, or `error` thrown. */
function source(chunks: string[], delayMs = 0, error?: Error): AsyncIterator<Buffer> {
  return (async function* () {
    for (const c of chunks) {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      yield Buffer.from(c);
    }
    if (error) throw error;
  })();
}

async function drain(it: AsyncIterable<Buffer>): Promise<string> {
  let s = '';
  for await (const c of it) s += c.toString();
  return s;
}

describe('readAhead', () => {
  it('stops once it holds the bytes asked for; the rest follows without a gap or a repeat', async () => {
    const ahead = await readAhead(source(['aaaa', 'bbbb', 'cccc', 'dddd']), 6, 5_000);
    expect(ahead.chunks.map(String)).toEqual(['aaaa', 'bbbb']);
    expect(ahead.bytes).toBe(8);
    expect(ahead.ended).toBe(false);
    expect(await drain(replay(ahead))).toBe('aaaabbbbccccdddd');
  });

  it('says when the input ended within the read ahead', async () => {
    const ahead = await readAhead(source(['ab', 'cd']), 1_000, 5_000);
    expect(ahead).toMatchObject({ bytes: 4, ended: true, interrupted: false });
    expect(await drain(replay(ahead))).toBe('abcd');
  });

  it('stops after the time allowed on a slow input; the read under way is not lost', async () => {
    const started = Date.now();
    const ahead = await readAhead(source(['slow1', 'slow2', 'slow3'], 150), MB, 200);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ahead.ended).toBe(false);
    expect(ahead.chunks.map(String)).toEqual(['slow1']);
    expect(await drain(replay(ahead))).toBe('slow1slow2slow3');
  });

  it('stops when the run is interrupted: the input is then what was read', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 250);
    const ahead = await readAhead(source(['x1', 'x2', 'x3', 'x4', 'x5'], 100), MB, 5_000, ac.signal);
    expect(ahead.interrupted).toBe(true);
    expect(ahead.chunks.length).toBeGreaterThan(0);
    expect(ahead.chunks.length).toBeLessThan(5);
    const read = ahead.chunks.map(String).join('');
    expect(await drain(replay(ahead))).toBe(read);
  });

  it('keeps a read error for the reader, after the chunks read before it', async () => {
    const ahead = await readAhead(source(['ok'], 0, new Error('EIO: i/o error')), MB, 5_000);
    expect(ahead.chunks.map(String)).toEqual(['ok']);
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const c of replay(ahead)) seen.push(String(c));
      })(),
    ).rejects.toThrow('EIO');
    expect(seen).toEqual(['ok']);
  });
});

describe('forwarding to another thread', () => {
  it('the other side gets every byte in order, then the end', async () => {
    const { forwarder, port } = forwardChannel();
    const ahead = await readAhead(source(['one ', 'two ', 'three']), 4, 5_000);
    const received = drain(forwardedBytes(port));
    expect(await drain(replay(ahead, [forwarder]))).toBe('one two three');
    expect(await received).toBe('one two three');
    forwarder.close();
  });

  it('a read error reaches the other side after the same bytes, as an error, not an end', async () => {
    const { forwarder, port } = forwardChannel();
    const ahead = await readAhead(source(['first ', 'second'], 0, new Error('EIO: i/o error')), 0, 5_000);
    const received: string[] = [];
    const other = (async () => {
      for await (const c of forwardedBytes(port)) received.push(String(c));
    })();
    await expect(drain(replay(ahead, [forwarder]))).rejects.toThrow('EIO');
    await expect(other).rejects.toThrow('EIO');
    expect(received.join('')).toBe('first second');
    forwarder.close();
  });

  it('waits while the other side has more than the window not yet taken, and goes on as it takes', async () => {
    const { forwarder, port } = forwardChannel();
    const big = Buffer.alloc(FORWARD_WINDOW / 2 + 1, 0x61);
    await forwarder.send(big); // half the window in flight: no wait
    let second = false;
    const sending = forwarder.send(big).then(() => (second = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(second).toBe(false); // more than the window in flight
    const it = forwardedBytes(port);
    expect((await it.next()).value).toHaveLength(big.length); // the other side takes one chunk...
    await sending; // ...and this side goes on
    expect(second).toBe(true);
    forwarder.close();
    await it.return(undefined);
  });

  it('a released forwarder (the other thread failed or the run stopped) never waits', async () => {
    const { forwarder } = forwardChannel();
    const big = Buffer.alloc(FORWARD_WINDOW + 1);
    let done = false;
    const sending = forwarder.send(big).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    forwarder.release();
    await sending;
    expect(done).toBe(true);
    forwarder.close();
  });
});
