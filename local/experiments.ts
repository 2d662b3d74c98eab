/**
 * `npm run experiments`: subject-line experiments (lambdas/domain/experiments.ts): which are running, decided or
 * stopped, with each variant's numbers; stop one, or pick its winner by hand (docs/marketing.md).
 *   npm run experiments                                            list them (the local table)
 *   npm run experiments -- stop how-it-works-subject --reason "..." everyone gets variant a from now on
 *   npm run experiments -- pick how-it-works-subject b --reason "..." everyone gets b from now on
 *   ... --table <name> --region <region>                           a deployed table (AWS credentials from the environment)
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { command } from './cli.ts';
import { parseRequest } from './experiments-run.ts';
import { TABLE_USAGE, tableOptions, tableSchema, tableTarget, TargetError } from './target.ts';

const USAGE = `usage: npm run experiments [-- [list | stop ID --reason TEXT | pick ID VARIANT --reason TEXT] [--table NAME [--region REGION]]]
  list              (the default) running, decided and stopped experiments: each variant's sent, delivered, a
                    person's clicks, bookings and probability of being best; for a decided or stopped one, when,
                    by whom and why
  stop ID           stop experiment ID: every lead whose step falls due from now on gets variant a, the control
  pick ID VARIANT   decide experiment ID by hand: every lead whose step falls due from now on gets VARIANT
  --reason TEXT     why (required with stop and pick): kept with the experiment
${TABLE_USAGE}
  -h, --help        show this help`;

const cli = command({
  name: 'experiments',
  usage: USAGE,
  positionals: true,
  options: { reason: { type: 'string' }, ...tableOptions },
  schema: z.object({ reason: z.string().optional(), ...tableSchema }),
});
const args = cli.values;
if (args.region && !args.table) cli.fail('--region needs --table NAME');
const parsed = parseRequest(cli.positionals, args.reason);
const request = typeof parsed === 'string' ? cli.fail(parsed) : parsed;
// Loaded after the command line is read, so --help and a mistake answer at once.
const [{ DynamoExperimentStore }, { sequences }, { runRequest }] = await Promise.all([
  import('../lambdas/adapters/dynamo-experiments.ts'),
  import('../emails/sequences.ts'),
  import('./experiments-run.ts'),
]);

const target = await tableTarget(args, {
  missing: 'No experiments yet: start the service with `npm start` and sign up first.',
}).catch((error: unknown) => fail(error instanceof TargetError ? error.message : String(error)));
try {
  const store = new DynamoExperimentStore(target.client, { tableName: target.table, retentionDays: 0 });
  const { out, code } = await runRequest(request, { store, sequences, now: new Date() });
  if (code === 2) cli.fail(out);
  (code === 0 ? console.log : console.error)(out);
  process.exitCode = code;
} catch (error) {
  if (error instanceof ResourceNotFoundException) fail(`Table ${target.table} does not exist.`);
  fail(`Could not read ${target.description}: ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  await target.close();
}

function fail(message: string, exitCode = 1): never {
  console.error(message);
  process.exit(exitCode);
}
