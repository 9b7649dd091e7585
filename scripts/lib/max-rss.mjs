// Loaded with `node --import` into a measured process: on exit, report its peak RSS (bytes).
import { writeFileSync } from 'node:fs';

const target = process.env.APILOG_BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
