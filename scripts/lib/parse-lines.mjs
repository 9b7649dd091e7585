// The bare baseline the benches compare against: JSON.parse of every non-empty line of an NDJSON
// file (or of the byte range [start, end)), nothing else. Returns how many lines were parsed.
import fs from 'node:fs';

const MiB = 1024 * 1024;

export async function parseLines(file, start = 0, end = Infinity) {
  let events = 0;
  let carry = null;
  if (end <= start) return events;
  const range = Number.isFinite(end) ? { start, end: end - 1 } : { start };
  for await (const chunk of fs.createReadStream(file, { ...range, highWaterMark: MiB })) {
    let buf = chunk;
    let pos = 0;
    if (carry) {
      const nl = buf.indexOf(10);
      if (nl === -1) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      JSON.parse(Buffer.concat([carry, buf.subarray(0, nl)]).toString('utf8'));
      events++;
      carry = null;
      pos = nl + 1;
    }
    let nl;
    while ((nl = buf.indexOf(10, pos)) !== -1) {
      if (nl > pos) {
        JSON.parse(buf.toString('utf8', pos, nl));
        events++;
      }
      pos = nl + 1;
    }
    if (pos < buf.length) carry = Buffer.from(buf.subarray(pos));
  }
  if (carry && carry.length) {
    JSON.parse(carry.toString('utf8'));
    events++;
  }
  return events;
}
