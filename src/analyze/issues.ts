/**
 * The issues of one run (ingest and mapping problems): passed on as they happen, the first ones
 * kept for the summary, input that could not be read (a missing file, a damaged .gz) counted for
 * the exit code, and with --strict the first malformed input turned into a failure. Stages report issues through callbacks that must not
 * throw, so the failure is raised from the main loop (`failIfStrict`).
 */
import type { IngestIssue } from '../ingest/types.js';
import { isUnreadable, losesInput } from './events.js';
import { InputError } from './options.js';

const MAX_ISSUES_LISTED = 50;
/**
 * Beyond those, the first issue of each further file and kind is still listed, up to this many: a
 * notes file or script kept beside the logs must not push the one broken line of a real log out
 * of the summary.
 */
const MAX_FIRSTS_LISTED = 50;

export interface IssueLog {
  onIssue: (i: IngestIssue) => void;
  /** The first issues, then the first of each further file and kind, for the summary. */
  readonly listed: IngestIssue[];
  total(): number;
  unreadable(): number;
  failIfStrict(): void;
}

export function createIssueLog(strict: boolean, passOn?: (i: IngestIssue) => void): IssueLog {
  const listed: IngestIssue[] = [];
  /** File and kind of every listed issue. */
  const listedKinds = new Set<string>();
  let firsts = 0;
  let total = 0;
  let unreadable = 0;
  let strictFailure: IngestIssue | undefined;
  return {
    listed,
    onIssue(i) {
      total++;
      passOn?.(i);
      if (losesInput(i.kind)) unreadable++;
      const fileKind = `${i.file}\u0000${i.kind}`;
      let list = listed.length < MAX_ISSUES_LISTED;
      if (!list && firsts < MAX_FIRSTS_LISTED && !listedKinds.has(fileKind)) {
        list = true;
        firsts++;
      }
      if (list) {
        listed.push(i);
        listedKinds.add(fileKind);
      }
      if (strict && !isUnreadable(i.kind) && i.kind !== 'map-unused' && !strictFailure) strictFailure = i;
    },
    total: () => total,
    unreadable: () => unreadable,
    failIfStrict() {
      if (!strictFailure) return;
      const i = strictFailure;
      throw new InputError(`${i.file}${i.line ? `:${i.line}` : ''}: ${i.message} (--strict makes malformed input fatal)`);
    },
  };
}
