/**
 * The command line. This file only declares commands and options: each command's module is
 * imported when it runs, so `apilog --help` and `--version` load nothing heavy.
 */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { collect } from './parse.js';
import { exitWithError } from './errors.js';
import { OUTPUT_ERROR_EXIT_CODE, describeWriteError } from '../report/output.js';

// A closed pipe (`apilog … | head`) ends any command quietly, with the exit code so far. Any other
// failure to write stdout (`> file` on a full disk) is one line on stderr, not a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  process.stderr.write(`apilog: cannot write to standard output: ${describeWriteError(err).reason}\n`);
  process.exit(OUTPUT_ERROR_EXIT_CODE);
});

const program = new Command();

program
  .name('apilog')
  .description('Forensics for API access logs: who did what, when, from where, and which activity was an attack.')
  .version(VERSION, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  // `apilog formats detect f --format json`: the option belongs to `detect`, not to `formats`.
  .enablePositionalOptions()
  .exitOverride();

/** Options shared by every command that reads logs. */
function inputOptions(cmd: Command): Command {
  return cmd
    .option('--include <glob>', 'in folders, only read files matching this glob (repeatable)', collect, [])
    .option('--exclude <glob>', 'in folders, skip files matching this glob (repeatable)', collect, [])
    .option('--log-format <id>', 'force the input format instead of auto-detecting it (see `apilog formats`)')
    .option('--map <field=path>', 'map a canonical field to a source path, e.g. --map user=actor.name (repeatable; a field given twice takes the first path a record holds)', collect, [])
    .option('--map-file <file>', 'a JSON or YAML file of canonical field -> source path')
    .option('--input-tz <zone>', 'IANA time zone of log timestamps that carry no UTC offset (default: read as UTC)')
    .option('--strict', 'treat any malformed input as fatal (exit 3)', false)
    .option('--max-line-bytes <size>', 'longest line or JSON document accepted (longer ones are skipped and reported)', '16MB')
    .option('--max-depth <n>', 'deepest JSON nesting accepted', '256')
    .option('--max-decompressed <size>', 'cap on the decompressed size of one gzip file', '64GB')
    .option('--rules <path>', 'extra rules file or folder, overriding rules/ (repeatable)', collect, [])
    .option('--geoip-db <file>', 'a MaxMind-format .mmdb database instead of the bundled GeoIP data')
    .option('--tz <zone>', 'IANA time zone for display (business hours come from rules/)', 'UTC')
    .addOption(new Option('--color <when>', 'colour output').choices(['auto', 'always', 'never']).default('auto'))
    .option('--no-color', 'same as --color never (so is a set NO_COLOR)')
    .option('-q, --quiet', 'no header, no progress and no advisory warnings on stderr (lost input, unused --map paths and fatal errors are still said)', false);
}

inputOptions(
  program
    .command('analyze')
    .description('analyse logs: alerts, per-entry findings and summary tables')
    .argument('<paths...>', 'files, folders, or - for stdin'),
)
  .option('-f, --format <format>', 'output: text, json, ndjson, csv or sarif (an input format id here acts as --log-format)', 'text')
  .addOption(new Option('--csv-of <what>', 'with --format csv: alerts or entries').choices(['alerts', 'entries']).default('alerts'))
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--entries <mode>', 'per-entry findings: all, flagged or none', 'flagged')
  .option('--full', 'show long values whole instead of cutting them', false)
  .option('--min-severity <level>', 'show alerts and entries at or above this level', 'info')
  .option('--fail-on <level>', 'exit 1 when an alert at or above this level exists')
  .option('--fail-on-empty', 'exit 1 when no event was judged (an empty input, or a time filter that left none)', false)
  .option('--only <rules>', 'run only these rule ids (comma-separated, repeatable)', collect, [])
  .option('--skip <rules>', 'skip these rule ids (comma-separated, repeatable)', collect, [])
  .option('--sigma <path>', 'Sigma rules (file or folder) to run as well (repeatable)', collect, [])
  .option('--baseline <file>', 'a baseline from `apilog baseline` to compare against')
  .option('--from <time>', 'only events at or after this ISO 8601 date or time (without an offset: in --tz)')
  .option('--to <time>', 'only events at or before this ISO 8601 date or time (without an offset: in --tz)')
  .option('--since <duration>', 'only the last N (e.g. 24h, 7d) before the last event in the input')
  .option('--since-now', 'make --since relative to now instead of the last event', false)
  .option('--threads <n>', 'threads to share the analysis between (default: the number of CPU cores, for inputs of 16 MB or more, stdin and pipes included)')
  .option('--follow', 'keep reading the files as they grow (and across rotation): alerts as ndjson lines as they fire, the summary at Ctrl-C', false)
  .option('--follow-grace <duration>', 'with --follow: after this long without new input, close the incidents that are over', '5s')
  .option('--follow-poll <duration>', 'with --follow: how often to look for new input', '250ms')
  .addOption(new Option('--follow-from <where>', 'with --follow: read files from their start or from their current end').choices(['start', 'end']).default('start'))
  .action(async (paths: string[], opts: Record<string, unknown>, cmd: Command) => {
    const given = (o: string): boolean => cmd.getOptionValueSource(o) === 'cli';
    if (opts.follow === true || ['followGrace', 'followPoll', 'followFrom'].some(given)) {
      const { followCommand } = await import('./commands/follow.js');
      process.exitCode = await followCommand(paths, opts, given);
      return;
    }
    const { analyzeCommand } = await import('./commands/analyze.js');
    process.exitCode = await analyzeCommand(paths, opts, { detect: true });
  });

inputOptions(
  program
    .command('summary')
    .description('traffic and per-actor tables only, without detectors: a first look at unknown logs')
    .argument('<paths...>', 'files, folders, or - for stdin'),
)
  .option('-f, --format <format>', 'output: text, json or ndjson', 'text')
  .option('-o, --output <file>', 'write the report to a file instead of stdout')
  .option('--full', 'show long values whole', false)
  .option('--from <time>', 'only events at or after this time (without an offset: in --tz)')
  .option('--to <time>', 'only events at or before this time (without an offset: in --tz)')
  .option('--since <duration>', 'only the last N before the last event')
  .option('--since-now', 'make --since relative to now', false)
  .action(async (paths: string[], opts: Record<string, unknown>) => {
    const { analyzeCommand } = await import('./commands/analyze.js');
    process.exitCode = await analyzeCommand(paths, opts, { detect: false });
  });

inputOptions(
  program
    .command('explain')
    .description('walk one entry through the ten questions, in prose for an incident ticket')
    .argument('<paths...>', 'files, folders, or - for stdin'),
)
  .option('--request-id <id>', 'the entry with this request id')
  .option('--line <file:n>', 'the entry at this file and line (file:n#k: the k-th record of a line holding several)')
  .option('-f, --format <format>', 'text or json', 'text')
  .option('--baseline <file>', 'a baseline from `apilog baseline`')
  .option('--no-alerts', "don't run the detectors over the whole input (faster on a large input; question 8 is then not judged)")
  .action(async (paths: string[], opts: Record<string, unknown>) => {
    const { explainCommand } = await import('./commands/explain.js');
    process.exitCode = await explainCommand(paths, opts);
  });

inputOptions(
  program
    .command('baseline')
    .description('learn normal behaviour from a period of logs, for later runs with --baseline')
    .argument('<paths...>', 'files, folders, or - for stdin'),
)
  .requiredOption('-o, --output <file>', 'where to write the baseline JSON')
  .option('--from <time>', 'learn only from events at or after this time (without an offset: in --tz), e.g. the weeks before an incident')
  .option('--to <time>', 'learn only from events at or before this time (without an offset: in --tz)')
  .action(async (paths: string[], opts: Record<string, unknown>) => {
    const { baselineCommand } = await import('./commands/baseline.js');
    process.exitCode = await baselineCommand(paths, opts);
  });

inputOptions(
  program
    .command('redact')
    .description('write sanitised copies of logs (secrets and personal data masked) for sharing')
    .argument('<paths...>', 'files, folders, or - for stdin'),
)
  .requiredOption('-o, --output <dir>', 'folder for the sanitised copies')
  .action(async (paths: string[], opts: Record<string, unknown>) => {
    const { redactCommand } = await import('./commands/redact.js');
    process.exitCode = await redactCommand(paths, opts);
  });

const formats = program
  .command('formats')
  .description('list the log formats apilog recognises, with their detection keys')
  .enablePositionalOptions()
  .option('-f, --format <format>', 'text or json', 'text')
  .action(async (opts: Record<string, unknown>) => {
    const { formatsCommand } = await import('./commands/formats.js');
    process.exitCode = await formatsCommand(opts);
  });

formats
  .command('detect')
  .description('show what apilog sees in a file and how each canonical field is mapped')
  .argument('<file>', 'a log file (or - for stdin)')
  .option('-f, --format <format>', 'text or json', 'text')
  .option('--log-format <id>', 'force a format and show its mapping')
  .option('--map <field=path>', 'try a mapping (repeatable)', collect, [])
  .option('--map-file <file>', 'a JSON or YAML mapping file')
  .option('--input-tz <zone>', 'IANA time zone of log timestamps that carry no UTC offset (default: read as UTC)')
  .option('--records <n>', 'how many records to sample', '200')
  .option('--rules <path>', 'rules file or folder whose trustedProxies apply (repeatable)', collect, [])
  .action(async (file: string, opts: Record<string, unknown>) => {
    const { formatsDetectCommand } = await import('./commands/formats.js');
    process.exitCode = await formatsDetectCommand(file, opts);
  });

program
  .command('rules')
  .description('list detectors, their options, and where each value came from')
  .option('--rules <path>', 'extra rules file or folder (repeatable)', collect, [])
  .option('--sigma <path>', 'also list these Sigma rules and whether each can run (repeatable)', collect, [])
  .option('-f, --format <format>', 'text or json', 'text')
  .action(async (opts: Record<string, unknown>) => {
    const { rulesCommand } = await import('./commands/rules.js');
    process.exitCode = await rulesCommand(opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not errors; every other parse failure is a usage error.
    process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : 2;
  } else {
    exitWithError(err);
  }
}
