/** `apilog explain`: the ten questions for one entry, in prose for an incident ticket, or JSON. */
import { openEventStream } from '../../analyze/events.js';
import { UsageError } from '../../analyze/options.js';
import { createEnricher, createGeoLookup } from '../../enrich/index.js';
import { loadRules } from '../../rules/index.js';
import { loadBaseline } from '../../baseline/index.js';
import { answerObserved, createEntryWalk, renderProse, type EntrySelector } from '../../checklist/index.js';
import { maskSecrets } from '../../analyze/mask.js';
import { sanitize } from '../../report/sanitize.js';
import { inputOptionsFrom } from './analyze.js';
import { stderrIssues, str, write, writeJson, type Opts } from './shared.js';
import { exitWithError } from '../errors.js';

function selectorFrom(o: Opts): EntrySelector {
  const requestId = str(o.requestId);
  const line = str(o.line);
  if (requestId && line) throw new UsageError('give either --request-id or --line, not both');
  if (requestId) return { requestId };
  if (line) {
    const m = /^(.*):(\d+)$/.exec(line);
    if (!m || !m[1]) throw new UsageError(`--line: expected FILE:N (e.g. access.log:1234), got "${line}"`);
    return { file: m[1], line: Number(m[2]) };
  }
  throw new UsageError('say which entry: --request-id ID or --line FILE:N');
}

export async function explainCommand(paths: string[], o: Opts): Promise<number> {
  try {
    const sel = selectorFrom(o);
    const input = inputOptionsFrom(paths, o);
    const rules = loadRules(input.rulesPaths);
    const geo = createGeoLookup(input.geoipDb ? { dbPath: input.geoipDb } : {});
    const baseline = str(o.baseline) ? loadBaseline(str(o.baseline)!) : undefined;
    const enrich = createEnricher(rules);
    const walk = createEntryWalk(sel, { rules, geo, ...(baseline ? { baseline } : {}) });
    // Lines that could not be read are named, as analyze names them: the answers count the
    // actor's earlier requests, and those would be missing from the count.
    // Lines that could not be read are named: the answers count the actor's earlier requests,
    // and those lines would be missing from the count.
    const { onIssue, unreadable } = stderrIssues(o.quiet === true);
    const stream = await openEventStream(input, onIssue);
    for await (const batch of stream.batches) {
      for (const e of batch) {
        walk.push(enrich(e));
        if (walk.done()) break;
      }
      if (walk.done()) break;
    }
    await stream.batches.return(undefined);
    const found = walk.result();
    if (!found) {
      const what = 'requestId' in sel ? `request id "${sel.requestId}"` : `${sel.file}:${sel.line}`;
      process.stderr.write(`apilog: no entry with ${sanitize(what)} in the input\n`);
      return unreadable() > 0 ? 3 : 2;
    }
    const { record: raw } = answerObserved(found, { rules, geo, tz: input.tz, ...(baseline ? { baseline } : {}) });
    // The answers quote the request (path, query, agent): masked like every other output.
    const record = maskSecrets(raw);
    if (str(o.format) === 'json') writeJson(record);
    else write(renderProse(record));
    return unreadable() > 0 ? 3 : 0;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  }
}
