/**
 * The same log collected twice (a copy under another name, the same folder gathered from two
 * places, a rotated file left both plain and gzipped) would have every event counted twice:
 * volumes double, severities rise, look-alikes cross thresholds. Files with the same content are
 * read once. Only files of equal size are hashed, so the usual run reads nothing extra; a gzip
 * file's size here is the one its trailer gives for its content (ISIZE), and its content is what
 * is hashed, so `access.log.1` and `access.log.1.gz` are one log.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { InputSource } from './types.js';

export interface IdenticalFile {
  path: string;
  /** The earlier input with the same content, which is read. */
  sameAs: string;
}

export async function dropIdenticalFiles(sources: InputSource[]): Promise<{ sources: InputSource[]; identical: IdenticalFile[] }> {
  if (sources.length < 2) return { sources, identical: [] };
  const bySize = new Map<number, InputSource[]>();
  const gzipped = new Set<InputSource>();
  for (const s of sources) {
    if (s.kind !== 'file' || s.size === undefined || s.size === 0) continue;
    const content = await gzipContentSize(s.path, s.size);
    if (content !== null) gzipped.add(s);
    const size = content ?? s.size;
    const group = bySize.get(size);
    if (group) group.push(s);
    else bySize.set(size, [s]);
  }
  const drop = new Map<InputSource, string>();
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const first = new Map<string, string>();
    for (const s of group) {
      const digest = await hashFile(s.path, gzipped.has(s));
      if (digest === null) continue; // unreadable: left for the reader to report
      const earlier = first.get(digest);
      if (earlier === undefined) first.set(digest, s.path);
      else drop.set(s, earlier);
    }
  }
  if (drop.size === 0) return { sources, identical: [] };
  return {
    sources: sources.filter((s) => !drop.has(s)),
    identical: [...drop].map(([s, sameAs]) => ({ path: s.path, sameAs })),
  };
}

/** A gzip file's content size from its trailer (ISIZE, modulo 2^32), or null for a file that is not gzip. */
async function gzipContentSize(path: string, size: number): Promise<number | null> {
  if (size < 18) return null;
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(path, 'r');
    const head = Buffer.alloc(2);
    await fh.read(head, 0, 2, 0);
    if (head[0] !== 0x1f || head[1] !== 0x8b) return null;
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    return tail.readUInt32LE(0);
  } catch {
    return null; // unreadable: left for the reader to report
  } finally {
    await fh?.close();
  }
}

function hashFile(path: string, gzip: boolean): Promise<string | null> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    const raw = createReadStream(path).on('error', () => resolve(null));
    const content = gzip ? raw.pipe(createGunzip()).on('error', () => resolve(null)) : raw;
    content.on('data', (chunk: Buffer) => h.update(chunk)).on('end', () => resolve(h.digest('hex')));
  });
}
