/** `apilog baseline`: learn normal behaviour from a period of logs and save it as versioned JSON. */
import { openEventStream } from '../../analyze/events.js';
import { createEnricher, createGeoLookup } from '../../enrich/index.js';
import { loadRules } from '../../rules/index.js';
import { createBaselineLearner, saveBaseline } from '../../baseline/index.js';
import { weekdayList, weekdaysCovered } from '../../baseline/stats.js';
import { sanitize } from '../../report/sanitize.js';
import { inputOptionsFrom } from './analyze.js';
import { refuseInputAsOutput, stderrIssues, str, type Opts } from './shared.js';
import { exitWithError } from '../errors.js';
import { parseTimeRange } from '../parse.js';
import { checkOutputFile, outputError } from '../../report/output.js';

export async function baselineCommand(paths: string[], o: Opts): Promise<number> {
  try {
    const base = inputOptionsFrom(paths, o);
    // Normal behaviour is learnt from a period before the incident, often in the same folder.
    const input = { ...base, ...parseTimeRange(str(o.from), str(o.to), base.tz) };
    const out = str(o.output)!;
    // A folder or a missing folder is reported before the input is read, not after.
    checkOutputFile(out);
    refuseInputAsOutput(out, paths);
    const rules = loadRules(input.rulesPaths);
    const geo = createGeoLookup(input.geoipDb ? { dbPath: input.geoipDb } : {});
    const enrich = createEnricher(rules);
    const learner = createBaselineLearner({ geo, origin: 'file' });
    const { onIssue, unreadable } = stderrIssues(o.quiet === true);
    const stream = await openEventStream({ ...input, outputFile: out, trustedProxies: rules.trustedProxies ?? [] }, onIssue);
    let events = 0;
    for await (const batch of stream.batches) {
      for (const e of batch) learner.add(enrich(e));
      events += batch.length;
    }
    const baseline = learner.finish();
    try {
      saveBaseline(baseline, out);
    } catch (err) {
      throw outputError(out, err);
    }
    if (o.quiet !== true) {
      process.stderr.write(
        `apilog: learned a baseline of ${Object.keys(baseline.actors).length} actors and ${Object.keys(baseline.routes).length} routes from ${events} events; written to ${sanitize(out)}\n`,
      );
      if (events === 0) {
        // Used later, an empty baseline reads as "no history" for every actor, silently.
        process.stderr.write('apilog: warning: no events were learned from (check the input and --from/--to): the baseline holds no history\n');
      }
      const covered = events > 0 ? weekdaysCovered(baseline.period) : null;
      if (covered !== null) {
        process.stderr.write(
          `apilog: note: it covers only ${weekdayList(covered)} (UTC): habits by hour of week are known for those weekdays only; learn from a week or more of logs\n`,
        );
      }
    }
    return unreadable() > 0 ? 3 : 0;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  }
}
