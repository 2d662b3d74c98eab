/**
 * `npm run privacy`: a person's data on request.
 *   npm run privacy -- export <email>         everything stored about the address, as JSON on stdout
 *   npm run privacy -- erase <email> [--yes]  delete all of it (asks first on a terminal), print what went, counts only
 *   ... --table <name> [--region <region>] [--secret-arn <arn>]   a deployed table instead of the local one
 * Each run leaves an audit item in the table (who, what, when, the lead's id; never the address). Who: the IAM
 * principal (STS GetCallerIdentity) against AWS; `local:<os user>` on this machine, where there is no STS.
 * The address hash erasure keeps is keyed by the unsubscribe secret: locally the local config's (as `npm start`
 * uses), in AWS the stage's secret in Secrets Manager (the stack's `UnsubscribeSecretArn` output).
 * The deployed API offers the same as IAM-authorised routes (lambdas/handlers/privacy.ts), sharing this code's store.
 */
import { createInterface } from 'node:readline/promises';
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { command } from './cli.ts';
import {
  secretArnSchema,
  TABLE_USAGE,
  tableOptions,
  tableSchema,
  tableTarget,
  TargetError,
  unsubscribeSecret,
} from './target.ts';

const USAGE = `usage: npm run privacy -- export <email> [--table NAME [--region REGION] [--secret-arn ARN]]
       npm run privacy -- erase <email> [--yes] [--table NAME [--region REGION] [--secret-arn ARN]]
  export            print, as JSON, everything stored about the address: lead, consent, messages, events
  erase             delete all of it; if the address unsubscribed, bounced or complained, keep only a keyed hash of it,
                    so it is never emailed again and never readable
  --yes             erase without asking (needed when not run in a terminal)
  (no --table)      the local table: a running npm start's, or else the data it saved in .nurture/
${TABLE_USAGE}
  --secret-arn ARN  with --table: the stage's unsubscribe secret, which keys the address hash (the stack's
                    UnsubscribeSecretArn output; default: $UNSUBSCRIBE_SECRET_ARN)
  -h, --help        show this help`;

const cli = command({
  name: 'privacy',
  usage: USAGE,
  positionals: true,
  options: {
    yes: { type: 'boolean', default: false },
    ...tableOptions,
    'secret-arn': { type: 'string' },
  },
  schema: z.object({
    yes: z.boolean(),
    ...tableSchema,
    'secret-arn': secretArnSchema,
  }),
});
const args = cli.values;
/** One line naming the mistake, then the usage; exit 2 (typed here, so TypeScript knows it never returns). */
const usage: (problem: string) => never = cli.fail;
const [action, rawEmail, ...extra] = cli.positionals;
if (action !== 'export' && action !== 'erase')
  usage(action === undefined ? 'say export or erase' : `unknown action "${action}" (export or erase)`);
if (rawEmail === undefined) usage(`${action} needs an email address`);
if (extra.length > 0) usage(`unexpected argument "${extra[0]}"`);
if (args.region && !args.table) usage('--region needs --table NAME');
if (args['secret-arn'] && !args.table) usage('--secret-arn needs --table NAME (locally the local secret is used)');
if (args.yes && action === 'export') usage('--yes is for erase');
if (action === 'erase' && !args.yes && !process.stdin.isTTY)
  usage('erase asks first; not run in a terminal, it needs --yes');

// Loaded after the command line is read, so --help and a mistake answer at once.
// The same store, domain and audit as the routes (POST /admin/api/privacy/export and /erase).
const [{ emailField }, { erasePerson, exportPerson }, { personStore }, principal] = await Promise.all([
  import('../lambdas/domain/signup.ts'),
  import('../lambdas/domain/privacy.ts'),
  import('../lambdas/compose/privacy.ts'),
  import('./aws-principal.ts'),
]);
const email = emailField.safeParse(rawEmail);
if (!email.success) usage(`"${rawEmail}" is not an email address`);

const secretArn = args['secret-arn'] ?? process.env.UNSUBSCRIBE_SECRET_ARN;
if (args.table && !secretArn && !process.env.UNSUBSCRIBE_SECRET)
  usage(
    '--table needs --secret-arn ARN (the stack output UnsubscribeSecretArn), or UNSUBSCRIBE_SECRET_ARN (or the value itself in UNSUBSCRIBE_SECRET) set',
  );

const target = await tableTarget(args, {
  missing: 'Nothing stored yet: the local table is empty (start the service with `npm start`).',
}).catch((error: unknown) => fail(error instanceof TargetError ? error.message : String(error)));
try {
  const [secret, who] = await Promise.all([
    unsubscribeSecret(target, secretArn),
    !target.local ? principal.callerArn(target.client) : principal.localPrincipal(),
  ]);
  const deps = {
    people: personStore(target.client, target.table, secret),
    now: () => new Date(),
    who,
  };
  if (action === 'export') {
    console.log(JSON.stringify(await exportPerson(deps, email.data), null, 2));
  } else {
    if (!args.yes) await confirm(`Erase everything stored for ${email.data} in ${target.description}?`);
    const result = await erasePerson(deps, email.data);
    console.log(erasureText(result));
  }
} catch (error) {
  if (error instanceof ResourceNotFoundException) fail(`Table ${target.table} does not exist.`);
  fail(`Could not ${action} in ${target.description}: ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  await target.close();
}

/** Ask on the terminal (elsewhere, erase needs --yes: checked with the command line). */
async function confirm(question: string): Promise<void> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await prompt.question(`${question} This cannot be undone. Type "erase" to go on: `);
  prompt.close();
  if (answer.trim() !== 'erase') fail('Nothing erased.', 1);
}

function erasureText(result: Awaited<ReturnType<typeof erasePerson>>): string {
  if (!result.found && !result.keptHash) return 'Nothing was stored for this address; nothing erased.';
  const { deleted } = result;
  const lines = [
    `Erased${result.leadId ? ` lead ${result.leadId}` : ''}:`,
    `  lead (profile, consent, message records)  ${deleted.lead}`,
    `  SES event items                           ${deleted.events}`,
    `  other items under the lead                ${deleted.other}`,
    `  address index                             ${deleted.addressIndex}`,
    `  suppression item                          ${deleted.suppression}`,
    result.keptHash
      ? `Kept: a keyed hash of the address (${result.keptHash}), so it is never emailed again. No address is stored.`
      : 'Kept: nothing. Signing up again would start a new lead.',
  ];
  return lines.join('\n');
}

function fail(message: string, exitCode = 1): never {
  console.error(message);
  process.exit(exitCode);
}
