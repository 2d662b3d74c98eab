/**
 * Every project command answers --help with its usage (exit 0), and an unknown option, a missing or bad value with one
 * line naming it and the usage (exit 2), never a stack trace; both before anything starts (emulators, servers, a
 * table read): the exact stderr below leaves no room for a progress line or an SDK warning.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseProblem } from '../../../local/cli.ts';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // No AWS settings, nothing listening on the local ports it would use: a command that went further would fail
    // another way, or hang until the timeout.
    const child = spawn(command, args, {
      env: { ...process.env, DYNAMODB_PORT: '1', SES_PORT: '1', ...env },
      timeout: 45_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const cli = (script: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args]);
const helps = new Map<string, Promise<Run>>();
/** `script --help`, run once per script. */
const help = (script: string) => helps.get(script) ?? helps.set(script, cli(script, '--help')).get(script)!;

const noStackTrace = (output: string) => expect(output).not.toMatch(/^\s+at .+[(:]/m);

/** Each command, how its usage starts, and bad command lines with the one line each gets. */
const COMMANDS: { script: string; usage: string; bad: [args: string[], line: string | RegExp][] }[] = [
  {
    script: 'local/start.ts',
    usage: 'usage: npm start ',
    bad: [
      [['--verbose'], 'start: unknown option --verbose'],
      [['--speed', 'abc'], 'start: --speed: "abc" is not a positive number'],
      [['--speed'], 'start: --speed needs a value'],
    ],
  },
  {
    script: 'bench/run.ts',
    usage: 'usage: npm run bench ',
    bad: [
      [['--ony', 'due'], 'bench: unknown option --ony'],
      [
        ['--only', 'nonsense'],
        'bench: --only: "nonsense" is not a scenario: use speed, throughput, ratio, due, report, load, bundles, writes, experiments (comma-separated)',
      ],
      [
        ['--only', 'due,reports'],
        'bench: --only: "reports" is not a scenario: use speed, throughput, ratio, due, report, load, bundles, writes, experiments (comma-separated)',
      ],
    ],
  },
  {
    script: 'local/simulate.ts',
    usage: 'usage: npm run simulate ',
    bad: [
      [['--force', 'bounce', 'a@example.com'], 'simulate: unknown option --force'],
      [['bounced', 'a@example.com'], 'simulate: "bounced" is not an event: use bounce, soft-bounce, complaint'],
      [['bounce', 'not-an-address'], 'simulate: "not-an-address" is not an email address'],
      [['bounce'], 'simulate: missing the email address'],
    ],
  },
  {
    script: 'local/report.ts',
    usage: 'usage: npm run report ',
    bad: [
      [['--csv'], 'report: unknown option --csv'],
      [['--region', 'us-east-1'], 'report: --region needs --table NAME'],
      [
        ['--table', 'nurture-prod', '--region', 'Mars'],
        'report: --region: "Mars" is not an AWS region, like us-east-1',
      ],
    ],
  },
  {
    script: 'local/experiments.ts',
    usage: 'usage: npm run experiments ',
    bad: [
      [['start', 'x'], 'experiments: unknown action "start" (list, stop or pick)'],
      [
        ['stop', 'how-it-works-subject'],
        'experiments: stop needs --reason "..." (kept with the experiment, for whoever reads it later)',
      ],
      [['pick', 'how-it-works-subject', 'e', '--reason', 'r'], 'experiments: "e" is not a variant (a, b, c or d)'],
      [['pick', 'how-it-works-subject'], 'experiments: pick needs the winning variant (a, b, c or d)'],
    ],
  },
  {
    script: 'local/privacy.ts',
    usage: 'usage: npm run privacy ',
    bad: [
      [[], 'privacy: say export or erase'],
      [['delete', 'a@example.com'], 'privacy: unknown action "delete" (export or erase)'],
      [['export'], 'privacy: export needs an email address'],
      [['export', 'not-an-address'], 'privacy: "not-an-address" is not an email address'],
      [['erase', 'a@example.com'], 'privacy: erase asks first; not run in a terminal, it needs --yes'],
      [['export', 'a@example.com', '--region', 'us-east-1'], 'privacy: --region needs --table NAME'],
      [
        ['export', 'a@example.com', '--table', 'nurture-prod'],
        'privacy: --table needs --secret-arn ARN (the stack output UnsubscribeSecretArn), or UNSUBSCRIBE_SECRET_ARN (or the value itself in UNSUBSCRIBE_SECRET) set',
      ],
      [
        ['export', 'a@example.com', '--secret-arn', 'nope', '--table', 'x-table'],
        'privacy: --secret-arn: "nope" is not a Secrets Manager secret ARN',
      ],
    ],
  },
  {
    script: 'local/timeline.ts',
    usage: 'usage: npm run timeline ',
    bad: [
      [['--zone', 'Europe/Berlin'], 'timeline: unknown option --zone'],
      [
        ['--tz', 'Mars/Base'],
        'timeline: --tz: "Mars/Base" is not a time zone. Use an IANA name such as America/Denver or Europe/Berlin.',
      ],
      [
        ['--signup', 'next tuesday'],
        'timeline: --signup: "next tuesday" is not a date and time. Write it like 2026-03-06T22:30 (the lead\'s local time).',
      ],
      [['stray'], 'timeline: unexpected argument "stray"'],
    ],
  },
  {
    script: 'local/send-test.ts',
    usage: 'usage: npm run send-test ',
    bad: [
      [['--to', 'me@clinic.example', '--step', 'welcome', '--dry-run'], 'send-test: unknown option --dry-run'],
      [['--to', 'me-at-clinic', '--step', 'welcome'], 'send-test: --to: "me-at-clinic" is not an email address'],
      [['--to', 'me@clinic.example'], 'send-test: missing --step'],
      [
        ['--to', 'me@clinic.example', '--step', 'welcom'],
        /^send-test: --step: There is no step "welcom"\. Steps: nurture\/welcome, nurture\/how-it-works, .*\.$/,
      ],
      [
        ['--to', 'me@clinic.example', '--step', 'how-it-works', '--variant', 'c'],
        'send-test: --variant: "c" is not a variant of nurture/how-it-works (experiment how-it-works-subject): use one of a, b.',
      ],
    ],
  },
  {
    script: 'local/preflight.ts',
    usage: 'usage: npm run preflight ',
    bad: [
      [[], 'preflight: missing --stage'],
      [['--stage'], 'preflight: --stage needs a value'],
      [['--stage', 'prod', '--region', 'us-east-1'], 'preflight: unknown option --region'],
      [['--stage', 'Prod'], 'preflight: --stage: "Prod" is not a stage name (lower case letters, digits, -)'],
      [['--stage', 'staging'], 'preflight: --stage: "staging" is not a stage in cdk.json: use dev, prod'],
      [['--stage', 'prod', '--config', 'no-such.json'], 'preflight: --config: "no-such.json" does not exist'],
      [['--stage', 'prod', '--config', 'README.md'], 'preflight: --config: "README.md" is not JSON'],
      [
        ['--stage', 'prod', '--config', 'package.json'],
        'preflight: --config: "package.json" has no context.nurture (the stages)',
      ],
    ],
  },
];

describe.concurrent.each(COMMANDS)('$script', ({ script, usage, bad }) => {
  it('--help prints the usage on stdout and exits 0, without starting anything', async () => {
    const { status, stdout, stderr } = await help(script);
    expect(status, stderr).toBe(0);
    expect(stdout.startsWith(usage)).toBe(true);
    expect(stdout).toMatch(/-h, --help +show this help/);
    expect(stderr).toBe('');
  }, 60_000);

  it('an unknown option or a bad value gets one line naming it, then the usage, on stderr, and exit 2', async () => {
    const { stdout: helpText } = await help(script);
    for (const [args, line] of bad) {
      const wrong = await cli(script, ...args);
      expect(wrong.status, `${args.join(' ')}: ${wrong.stderr}`).toBe(2);
      const [first, ...rest] = wrong.stderr.split('\n');
      if (typeof line === 'string') expect(first).toBe(line);
      else expect(first).toMatch(line);
      expect(rest.join('\n')).toBe(helpText);
      expect(wrong.stdout).toBe('');
      noStackTrace(wrong.stderr);
    }
  }, 90_000);
});

describe.concurrent('the same from any command', () => {
  it('-h is --help', async () => {
    const short = await cli('local/timeline.ts', '-h');
    expect(short.status, short.stderr).toBe(0);
    expect(short.stdout).toBe((await help('local/timeline.ts')).stdout);
  }, 60_000);

  it('npm run timeline -- --help, as people type it, prints the usage and exits 0', async () => {
    const viaNpm = await run('npm', ['run', '--silent', 'timeline', '--', '--help']);
    expect(viaNpm.status, viaNpm.stderr).toBe(0);
    expect(viaNpm.stdout).toBe((await help('local/timeline.ts')).stdout);
    noStackTrace(viaNpm.stderr);
  }, 60_000);
});

describe('parseProblem', () => {
  const problem = (code: string, message: string) => parseProblem(Object.assign(new Error(message), { code }));

  it("turns parseArgs' errors into one line that names the option", () => {
    expect(
      problem(
        'ERR_PARSE_ARGS_UNKNOWN_OPTION',
        "Unknown option '--foo'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--foo\"",
      ),
    ).toBe('unknown option --foo');
    expect(problem('ERR_PARSE_ARGS_UNKNOWN_OPTION', "Unknown option '-x'")).toBe('unknown option -x');
    expect(problem('ERR_PARSE_ARGS_INVALID_OPTION_VALUE', "Option '-s, --speed <value>' argument missing")).toBe(
      '--speed needs a value',
    );
    expect(problem('ERR_PARSE_ARGS_INVALID_OPTION_VALUE', "Option '--reset' does not take an argument")).toBe(
      '--reset takes no value',
    );
    expect(
      problem(
        'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
        "Option '--tz' argument is ambiguous.\nDid you forget to specify the option argument for '--tz'?\nTo specify an option argument starting with a dash use '--tz=-XYZ'.",
      ),
    ).toBe('--tz needs a value (write --tz=VALUE for one that starts with "-")');
    expect(
      problem(
        'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
        "Unexpected argument 'extra'. This command does not take positional arguments",
      ),
    ).toBe('unexpected argument "extra"');
  });
});
