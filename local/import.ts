/**
 * `npm run import -- FILE`: bring in the leads a clinic already has, from a CSV or Pinpoint's endpoint export.
 * Each row needs its consent (`consentAt`, `consentSource`); the same file twice changes nothing; first emails are
 * spread over days, inside each lead's send window. Details: docs/operations.md, "Importing existing leads".
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { nurtureOutline } from '../emails/outline.ts';
import { bad, command } from './cli.ts';
import {
  localNow,
  secretArnSchema,
  TABLE_USAGE,
  tableOptions,
  tableSchema,
  tableTarget,
  unsubscribeSecret,
} from './target.ts';

const STEPS: string[] = nurtureOutline.steps.map((step) => step.id);
/** The step ids, a few to a line of the usage. */
const STEP_LINES = STEPS.reduce<string[]>((lines, step) => {
  const last = lines.length - 1;
  if (last >= 0 && `${lines[last]!}, ${step}`.length <= 80) lines[last] = `${lines[last]!}, ${step}`;
  else lines.push(step);
  return lines;
}, []).join(',\n                    ');

const USAGE = `usage: npm run import -- FILE [--dry-run] [--start-at STEP] [--per-day N] [--from DATE] [--rate N] [--json]
                                [--table NAME [--region REGION] [--secret-arn ARN]]
  FILE              a CSV with a header row (email, firstName, consentAt, consentSource, and any other sign-up
                    field), or Amazon Pinpoint's endpoint export (JSON lines); either may be gzipped (.gz)
  --dry-run         check every row against the rules and the table, and write nothing
  --start-at STEP   the nurture step imported leads start at (default: ${STEPS[0]}); one of
                    ${STEP_LINES}
  --per-day N       leads whose first email goes out on one day (default 500)
  --from DATE       the first of those days, YYYY-MM-DD in each lead's time zone (default: tomorrow)
  --rate N          table requests a second, reads and writes (default 25)
  --json            the summary as JSON
  (no --table)      the local table: a running npm start's, or else the data it saves in .nurture/
${TABLE_USAGE}
  --secret-arn ARN  with --table: the stage's unsubscribe secret, which keys the hashes of erased addresses, so a
                    person erased after unsubscribing is never imported again (the stack's UnsubscribeSecretArn
                    output; default: $UNSUBSCRIBE_SECRET_ARN)
  -h, --help        show this help`;

const cli = command({
  name: 'import',
  usage: USAGE,
  positionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    'start-at': { type: 'string' },
    'per-day': { type: 'string', default: '500' },
    from: { type: 'string' },
    rate: { type: 'string', default: '25' },
    json: { type: 'boolean', default: false },
    ...tableOptions,
    'secret-arn': { type: 'string' },
  },
  schema: z.object({
    'dry-run': z.boolean(),
    'start-at': z
      .string()
      .refine((step) => STEPS.includes(step), { error: bad(`is not a nurture step: use one of ${STEPS.join(', ')}`) })
      .optional(),
    'per-day': z.coerce
      .number({ error: bad('is not a number') })
      .int({ error: bad('is not a whole number') })
      .min(1, { error: bad('is less than 1') }),
    from: z
      .string()
      .refine((day) => /^\d{4}-\d{2}-\d{2}$/.test(day) && DateTime.fromISO(day).isValid, {
        error: bad('is not a date like 2026-12-01'),
      })
      .optional(),
    rate: z.coerce.number({ error: bad('is not a number') }).positive({ error: bad('is not above 0') }),
    json: z.boolean(),
    ...tableSchema,
    'secret-arn': secretArnSchema,
  }),
});
const args = cli.values;
const [first, ...extra] = cli.positionals;
const file = first ?? cli.fail('missing the FILE to import');
if (extra.length > 0) cli.fail(`unexpected argument "${extra[0]}"`);
if (args.region && !args.table) cli.fail('--region needs --table NAME');
if (args['secret-arn'] && !args.table) cli.fail('--secret-arn needs --table NAME (locally the local secret is used)');
const secretArn = args['secret-arn'] ?? process.env.UNSUBSCRIBE_SECRET_ARN;
if (args.table && !secretArn && !process.env.UNSUBSCRIBE_SECRET)
  cli.fail(
    '--table needs --secret-arn ARN (the stack output UnsubscribeSecretArn), or UNSUBSCRIBE_SECRET_ARN (or the value itself in UNSUBSCRIBE_SECRET) set',
  );

// Loaded after the options are read, so --help and a mistyped option answer at once.
const [{ existsSync }, { formatOf, LeadFileError }, { localConfig }, run, { progress }, { logger }] = await Promise.all(
  [
    import('node:fs'),
    import('../lambdas/adapters/lead-file.ts'),
    import('./local-config.ts'),
    import('./import-run.ts'),
    import('./progress.ts'),
    import('../lambdas/adapters/log.ts'),
  ],
);
const format = formatOf(file) ?? cli.fail(`"${file}" is neither a .csv nor a .jsonl (Pinpoint) file`);
if (!existsSync(file)) fail(`${file}: no such file`);
// Quieter than Lambda's default in a terminal; POWERTOOLS_LOG_LEVEL still wins.
if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');

const table = await tableTarget(args, { missing: { create: true } }).catch((error: unknown) =>
  fail(`Could not open the table: ${(error as Error).message}`),
);
const secret = await unsubscribeSecret(table, secretArn).catch((error: unknown) =>
  fail(`Could not read the unsubscribe secret: ${(error as Error).message}`),
);
const config = {
  ...localConfig({}, { TABLE_NAME: table.table, ...(table.region && { AWS_REGION: table.region }) }),
  UNSUBSCRIBE_SECRET: secret,
};
const now = table.local ? localNow() : new Date();
const today = DateTime.fromJSDate(now, { zone: config.DEFAULT_TIME_ZONE }).toISODate()!;
if (args.from && args.from < today) cli.fail(`--from: "${args.from}" is in the past`);

const working = progress('import');
try {
  const summary = await run.runImport(
    {
      file,
      format,
      dryRun: args['dry-run'],
      startAt: args['start-at'],
      perDay: args['per-day'],
      from: args.from,
      rate: args.rate,
    },
    {
      config,
      dynamo: table.client,
      clock: { now: () => (table.local ? localNow() : new Date()) },
      progress: working,
    },
  );
  console.log(
    args.json
      ? JSON.stringify({ file, table: table.description, ...summary }, null, 2)
      : run.importText(summary, { file, table: table.description }),
  );
} catch (error) {
  working.done();
  if (error instanceof LeadFileError) fail(`${file}: ${error.message}`);
  if ((error as Error).name === 'ResourceNotFoundException')
    fail(`Table ${table.table} does not exist${args.table ? '' : ' yet: start the service with `npm start` once'}.`);
  fail(`Could not import into ${table.description}: ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  await table.close();
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
