/**
 * SIGINT and SIGTERM for the commands that write a report: the first signal aborts the run (which
 * then writes what it has, marked partial); a second one, a moment later, exits at once.
 */
export interface Interrupts {
  signal: AbortSignal;
  /** The signal received, if any. */
  received(): 'SIGINT' | 'SIGTERM' | null;
  /** The exit code for the signal received (130 or 143). */
  exitCode(): number;
  /** Stop listening. */
  dispose(): void;
}

export function watchInterrupts(): Interrupts {
  let received: 'SIGINT' | 'SIGTERM' | null = null;
  let receivedAt = 0;
  const abort = new AbortController();
  const code = (sig: 'SIGINT' | 'SIGTERM'): number => (sig === 'SIGINT' ? 130 : 143);
  const on = (sig: 'SIGINT' | 'SIGTERM') => (): void => {
    if (received) {
      // A terminal's Ctrl-C reaches the launcher and this process alike: the same press arrives
      // twice. A second press, a moment later, stops at once without the report.
      if (Date.now() - receivedAt > 1000) process.exit(code(sig));
      return;
    }
    received = sig;
    receivedAt = Date.now();
    abort.abort();
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: abort.signal,
    received: () => received,
    exitCode: () => (received ? code(received) : 0),
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
