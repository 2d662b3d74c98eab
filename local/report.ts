/**
 * `npm run report`: the per-step funnel and why leads left, as a table in the terminal, from the counters kept at
 * write time (a Query of a few items, whatever the table holds).
 *   npm run report                                       the local table: a running `npm start`, or else its saved data
 *   npm run report -- --json                             the same report as JSON
 *   npm run report -- --table <name> --region <region>   a deployed table (AWS credentials from the environment)
 *   npm run report -- --rebuild [--fix]                  recount from the raw items (a Scan of the whole table), print
 *                                                        every count that differs from the counters; --fix writes the
 *                                                        recount back
 * Local: DynamoDB at http://127.0.0.1:${DYNAMODB_PORT:-8006}, table nurture-local; when nothing listens there, the
 * data `npm start` saved in .nurture/dynamodb is opened with dynalite directly.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { command } from './cli.ts';
import { progress } from './progress.ts';
import { TABLE_USAGE, tableOptions, tableSchema, tableTarget, TargetError } from './target.ts';

const USAGE = `usage: npm run report [-- [--json] [--rebuild [--fix]] [--table NAME [--region REGION]]]
  (no options)      the local table: a running npm start's, or else the data it saved in .nurture/
  --json            the report as JSON instead of a table
  --rebuild         recount the report from the raw items (a Scan of the whole table: slow on a big one), print it,
                    and print every count that differs from the counters kept at write time
  --fix             with --rebuild: write the recount back to the counters (run it while nothing else writes)
${TABLE_USAGE}
  -h, --help        show this help
  HOLDOUT_SHARE=x   (environment) the stage's HOLDOUT_SHARE, for the holdout section; unset: 0`;

const cli = command({
  name: 'report',
  usage: USAGE,
  options: {
    json: { type: 'boolean', default: false },
    rebuild: { type: 'boolean', default: false },
    fix: { type: 'boolean', default: false },
    ...tableOptions,
  },
  schema: z.object({
    json: z.boolean(),
    rebuild: z.boolean(),
    fix: z.boolean(),
    ...tableSchema,
  }),
});
const args = cli.values;
// The stage's HOLDOUT_SHARE, when given: the report says the holdout is off only while no lead is in a group anyway.
const holdoutShare = z.coerce
  .number()
  .min(0)
  .max(0.5)
  .safeParse(process.env.HOLDOUT_SHARE ?? 0);
if (!holdoutShare.success) cli.fail('HOLDOUT_SHARE must be a number from 0 to 0.5, like 0.1 for 10%');
if (args.region && !args.table) cli.fail('--region needs --table NAME');
if (args.fix && !args.rebuild) cli.fail('--fix needs --rebuild');
// Loaded after the options are read, so --help and a mistyped option answer at once.
const [
  { DynamoReportSource },
  { DynamoReportCounters },
  { DynamoExperimentStore },
  { reportFromCounts },
  { SEQUENCE_IDS },
  { sequences },
  { reportText },
  rebuild,
] = await Promise.all([
  import('../lambdas/adapters/dynamo-report-source.ts'),
  import('../lambdas/adapters/dynamo-report-counters.ts'),
  import('../lambdas/adapters/dynamo-experiments.ts'),
  import('../lambdas/domain/report.ts'),
  import('../lambdas/contract.ts'),
  import('../emails/sequences.ts'),
  import('./report-text.ts'),
  import('./report-rebuild.ts'),
]);

const target = await tableTarget(args, {
  missing: 'Nothing to report yet: start the service with `npm start` and sign up first.',
}).catch((error: unknown) => fail(error instanceof TargetError ? error.message : String(error)));
// A big table takes a while to scan: after 2 s, say how far it has got (on stderr; stdout keeps the report).
const reading = progress('report', { quietFor: 2000 });
let scanned = 0;
try {
  // Counting's writes only: the retention is the table's, and the report reads.
  const counters = new DynamoReportCounters(target.client, { tableName: target.table, retentionDays: 0 });
  const kept = await counters.read();
  const experimentStates = await new DynamoExperimentStore(target.client, {
    tableName: target.table,
    retentionDays: 0,
  }).list();
  if (!args.rebuild) {
    const report = reportFromCounts(kept, {
      now: new Date(),
      sequences,
      experimentStates,
      holdoutShare: holdoutShare.data,
    });
    console.log(args.json ? JSON.stringify(report, null, 2) : reportText(report, target.description));
  } else {
    reading.step(`scanning ${target.description}`);
    const input = await new DynamoReportSource(target.client, target.table).read((items) =>
      reading.count(`items scanned in ${target.description}`, (scanned += items)),
    );
    reading.done(`scanned ${scanned.toLocaleString('en-US')} items`);
    const recounted = rebuild.recountOf(input, SEQUENCE_IDS.nurture);
    const report = reportFromCounts(recounted, {
      now: new Date(),
      sequences,
      experimentStates,
      holdoutShare: holdoutShare.data,
    });
    const differences = rebuild.differences(kept, recounted);
    const fixed = args.fix ? await rebuild.fix(counters, input, recounted, SEQUENCE_IDS.nurture) : undefined;
    const fixedText =
      fixed === undefined ? '' : `\nWrote the recount back to the counters (and ${fixed} lead(s)' own counts).`;
    console.log(
      args.json
        ? JSON.stringify({ report, differences, ...(fixed !== undefined && { fixed: { leads: fixed } }) }, null, 2)
        : `${reportText(report, `recounted from ${target.description}`)}\n\n${rebuild.differencesText(differences)}${fixedText}`,
    );
  }
} catch (error) {
  if (error instanceof ResourceNotFoundException)
    fail(
      `Table ${target.table} does not exist${args.table ? '' : ' yet: start the service with `npm start` and sign up first'}.`,
    );
  fail(`Could not read ${target.description}: ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  reading.done();
  await target.close();
}

function fail(message: string, exitCode = 1): never {
  console.error(message);
  process.exit(exitCode);
}
