/**
 * The issues of one run (ingest and mapping problems): passed on as they happen, the first ones
 * kept for the summary, unreadable inputs counted for the exit code, and with --strict the first
 * malformed input turned into a failure. Stages report issues through callbacks that must not
 * throw, so the failure is raised from the main loop (`failIfStrict`).
 */
import type { IngestIssue } from '../ingest/types.js';
import { isUnreadable } from './events.js';
import { InputError } from './options.js';

const MAX_ISSUES_LISTED = 50;

export interface IssueLog {
  onIssue: (i: IngestIssue) => void;
  /** The first issues, for the summary. */
  readonly listed: IngestIssue[];
  total(): number;
  unreadable(): number;
  failIfStrict(): void;
}

export function createIssueLog(strict: boolean, passOn?: (i: IngestIssue) => void): IssueLog {
  const listed: IngestIssue[] = [];
  let total = 0;
  let unreadable = 0;
  let strictFailure: IngestIssue | undefined;
  return {
    listed,
    onIssue(i) {
      total++;
      passOn?.(i);
      if (isUnreadable(i.kind)) unreadable++;
      if (listed.length < MAX_ISSUES_LISTED) listed.push(i);
      if (strict && !isUnreadable(i.kind) && !strictFailure) strictFailure = i;
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
