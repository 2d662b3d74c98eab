/**
 * `npm run preflight -- --stage prod`: is this AWS account ready for the stage's first deploy and first email? A
 * checklist, one line per check (✔ pass, ✖ fail, – skipped or a warning), the fix under each failure:
 *   stage settings without placeholders, the CDK bootstrap stack, Lambda concurrency for the stage's reservations,
 *   SES production access and sending, the send quota, the sender domain's identity and DKIM, confirmed alarm emails.
 * Read-only: it only describes, gets and lists. Exit 0 when nothing failed, 1 when something did, 2 for a bad command
 * line. Region from the stage's settings, credentials from the AWS SDK's default chain (AWS_PROFILE, SSO, env).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { bad, command } from './cli.ts';
import type { StageConfig } from '../lib/config.ts';
import type { CheckResult } from './preflight-checks.ts';
import { progress } from './progress.ts';

const USAGE = `usage: npm run preflight -- --stage NAME [--config FILE] [--json]
  --stage NAME      the stage to check, as named in cdk.json (dev, prod)
  --config FILE     a file shaped like cdk.json to read the stage from (default: cdk.json), e.g. a candidate
                    cdk.json with the clinic's real details before it is committed
  --json            the checks as JSON instead of a checklist
  -h, --help        show this help
Uses the AWS credentials of the environment (AWS_PROFILE, aws sso login) and the stage's region.
Exit status: 0 ready, 1 something to fix, 2 a bad command line.`;

const cli = command({
  name: 'preflight',
  usage: USAGE,
  options: {
    stage: { type: 'string' },
    config: { type: 'string', default: 'cdk.json' },
    json: { type: 'boolean', default: false },
  },
  schema: z.object({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,20}$/, { error: bad('is not a stage name (lower case letters, digits, -)') }),
    config: z.string().min(1),
    json: z.boolean(),
  }),
});
const args = cli.values;

let cdkJson: unknown;
try {
  cdkJson = JSON.parse(readFileSync(args.config, 'utf8'));
} catch (error) {
  const problem =
    error instanceof SyntaxError
      ? 'is not JSON'
      : (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  cli.fail(`--config: "${args.config}" ${problem}`);
}
const nurture = (cdkJson as { context?: { nurture?: unknown } } | null)?.context?.nurture;
if (nurture === undefined) cli.fail(`--config: "${args.config}" has no context.nurture (the stages)`);

// Loaded after the command line is read, so --help and a mistyped option answer at once.
const [{ readStages }, { checklistText, exitCode }, { preflightAws }, { runPreflight }] = await Promise.all([
  import('../lib/config.ts'),
  import('./preflight-checks.ts'),
  import('./preflight-aws.ts'),
  import('./preflight-run.ts'),
]);

let read: ReturnType<typeof readStages>;
try {
  read = readStages(nurture);
} catch (error) {
  // Settings that are wrong, not merely placeholders: nothing else can be checked without them.
  const [first, ...lines] = (error as Error).message.split('\n');
  report([{ status: 'fail', title: 'Stage settings', detail: first ?? 'invalid', fix: lines.map((l) => l.trim()) }]);
}
const stage =
  read.stages[args.stage] ??
  cli.fail(`--stage: "${args.stage}" is not a stage in ${args.config}: use ${Object.keys(read.stages).join(', ')}`);

const aws = preflightAws(stage.region);
const asking = progress('preflight', { quietFor: 2000 });
asking.step(`asking CloudFormation, SES, Lambda and SNS in ${stage.region}`);
let results: CheckResult[];
try {
  results = await runPreflight(args.stage, stage, read.placeholders[args.stage], aws);
} finally {
  asking.done();
  aws.close();
}
report(results, stage);

/** Print the checklist (or --json) and exit 0 when nothing failed, 1 otherwise. */
function report(results: CheckResult[], stage?: StageConfig): never {
  const code = exitCode(results);
  if (args.json) {
    const body = { stage: args.stage, region: stage?.region, config: args.config, ready: code === 0, checks: results };
    console.log(JSON.stringify(body, null, 2));
  } else {
    const where = stage ? ` (${stage.account ? `account ${stage.account}, ` : ''}${stage.region})` : '';
    console.log(checklistText(results, `Preflight of stage ${args.stage}${where}, settings from ${args.config}`));
  }
  process.exit(code);
}
