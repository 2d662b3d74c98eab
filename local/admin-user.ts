/**
 * `npm run admin-user -- add <email> --stage prod`: invite a marketer to a deployed stage's report. Cognito creates
 * the user and emails the invitation (a temporary password); at the first sign-in they choose a password and set up
 * an authenticator app. Also `list` (who can sign in) and `remove <email>` (who no longer may).
 * The stage's user pool is found in its stack's outputs (ReportUserPoolId), in the stage's region; credentials come
 * from the AWS SDK's default chain (AWS_PROFILE, SSO, environment). Exit 0 done, 1 refused or failed, 2 a bad
 * command line.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { bad, command } from './cli.ts';
import type { AdminUserAction } from './admin-user-run.ts';

const USAGE = `usage: npm run admin-user -- add EMAIL --stage NAME [--resend] [--config FILE] [--json]
       npm run admin-user -- list --stage NAME [--config FILE] [--json]
       npm run admin-user -- remove EMAIL --stage NAME [--config FILE] [--json]
  add EMAIL         invite EMAIL to the stage's report: Cognito emails a temporary password (valid 7 days)
  list              the report's users and whether each has signed in yet
  remove EMAIL      delete the user: they can no longer sign in
  --stage NAME      the deployed stage, as named in cdk.json (dev, prod)
  --resend          with add: email the invitation again to a user who has not signed in yet
  --config FILE     a file shaped like cdk.json to read the stage's region from (default: cdk.json)
  --json            the result as JSON
  -h, --help        show this help
Uses the AWS credentials of the environment (AWS_PROFILE, aws sso login) and the stage's region.
Users listed in cdk.json (reportSignIn.users) are added by a deploy; a user added here stays until removed here.`;

const cli = command({
  name: 'admin-user',
  usage: USAGE,
  positionals: true,
  options: {
    stage: { type: 'string' },
    resend: { type: 'boolean', default: false },
    config: { type: 'string', default: 'cdk.json' },
    json: { type: 'boolean', default: false },
  },
  schema: z.object({
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,20}$/, { error: bad('is not a stage name (lower case letters, digits, -)') }),
    resend: z.boolean(),
    config: z.string().min(1),
    json: z.boolean(),
  }),
});
const args = cli.values;

/** The action and its address, from the arguments that are not options. */
function parseRequest([action, email, ...extra]: string[]): AdminUserAction {
  if (extra.length > 0) return cli.fail(`unexpected argument "${extra[0]}"`);
  if (action === 'list') return email ? cli.fail(`unexpected argument "${email}"`) : { action };
  if (action !== 'add' && action !== 'remove')
    return cli.fail(
      action ? `unknown action "${action}": use add, list or remove` : 'say what to do: add, list or remove',
    );
  if (!email) return cli.fail(`${action} needs an email address`);
  if (!z.email().safeParse(email).success) return cli.fail(`"${email}" is not an email address`);
  return action === 'add' ? { action, email, resend: args.resend } : { action, email };
}
const request = parseRequest(cli.positionals);
if (args.resend && request.action !== 'add') cli.fail('--resend goes with add');

let cdkJson: unknown;
try {
  cdkJson = JSON.parse(readFileSync(args.config, 'utf8'));
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  cli.fail(
    `--config: "${args.config}" ${error instanceof SyntaxError ? 'is not JSON' : code === 'ENOENT' ? 'does not exist' : 'cannot be read'}`,
  );
}
const stages = (cdkJson as { context?: { nurture?: { stages?: Record<string, { region?: unknown }> } } } | null)
  ?.context?.nurture?.stages;
const configured = stages?.[args.stage]?.region;
const region =
  typeof configured === 'string'
    ? configured
    : cli.fail(
        `--stage: "${args.stage}" is not a stage in ${args.config}${stages ? `: use ${Object.keys(stages).join(', ')}` : ''}`,
      );

// Loaded after the command line is read, so --help and a mistyped option answer at once.
const [{ adminUserAws }, { runAdminUser }] = await Promise.all([
  import('./admin-user-aws.ts'),
  import('./admin-user-run.ts'),
]);
const aws = adminUserAws(region);
let result: Awaited<ReturnType<typeof runAdminUser>>;
try {
  result = await runAdminUser(args.stage, request, aws);
} finally {
  aws.close();
}
if (args.json) process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
else (result.code === 0 ? process.stdout : process.stderr).write(`${result.lines.join('\n')}\n`);
process.exit(result.code);
