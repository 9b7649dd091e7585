/**
 * The same log collected twice (a copy under another name, the same folder gathered from two
 * places) would have every event counted twice: volumes double, severities rise, look-alikes
 * cross thresholds. Files with the same bytes are read once. Only files of equal size are hashed,
 * so the usual run reads nothing extra. (A compressed and an uncompressed copy differ in bytes and
 * are both read.)
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { InputSource } from './types.js';

export interface IdenticalFile {
  path: string;
  /** The earlier input with the same content, which is read. */
  sameAs: string;
}

export async function dropIdenticalFiles(sources: InputSource[]): Promise<{ sources: InputSource[]; identical: IdenticalFile[] }> {
  const bySize = new Map<number, InputSource[]>();
  for (const s of sources) {
    if (s.kind !== 'file' || s.size === undefined || s.size === 0) continue;
    const group = bySize.get(s.size);
    if (group) group.push(s);
    else bySize.set(s.size, [s]);
  }
  const drop = new Map<InputSource, string>();
  for (const group of bySize.values()) {
    if (group.length < 2) continue;
    const first = new Map<string, string>();
    for (const s of group) {
      const digest = await hashFile(s.path);
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

function hashFile(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', () => resolve(null))
      .on('end', () => resolve(h.digest('hex')));
  });
}
