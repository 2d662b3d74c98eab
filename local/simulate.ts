/**
 * `npm run simulate -- bounce|complaint|soft-bounce <email>`: inject the SES event a mailbox provider would cause,
 * for the latest email sent to that address, into the running local service (`npm start`).
 * It goes through the same handler as EventBridge's events in AWS.
 */
import { z } from 'zod';
import { normalizeEmail } from '../lambdas/domain/email-address.ts';
import { logger } from '../lambdas/adapters/log.ts';
import { command } from './cli.ts';
import { progress } from './progress.ts';
import { sesEventFor } from './engagement-feed.ts';
import { localConfig } from './local-config.ts';

const KINDS = {
  bounce: { type: 'Bounce', section: { bounceType: 'Permanent', bounceSubType: 'General' } },
  'soft-bounce': { type: 'Bounce', section: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } },
  complaint: { type: 'Complaint', section: { complaintFeedbackType: 'abuse' } },
} as const;

const USAGE = `usage: npm run simulate -- bounce|soft-bounce|complaint EMAIL
  bounce        a permanent bounce: the lead stops and the address is suppressed
  soft-bounce   a transient bounce (mailbox full): recorded, the lead goes on
  complaint     the lead marked it as spam: the lead stops and the address is suppressed
  EMAIL         the lead's address; the event is for the latest email sent to it
  -h, --help    show this help
Needs a running npm start (DynamoDB on DYNAMODB_PORT, 8006).`;

const { positionals, fail } = command({ name: 'simulate', usage: USAGE, options: {}, positionals: true });
const [kind = '', address = '', ...extra] = positionals;
const kinds = Object.keys(KINDS).join(', ');
if (!kind) fail(`missing the event: ${kinds}`);
if (!(kind in KINDS)) fail(`"${kind}" is not an event: use ${kinds}`);
if (!address) fail('missing the email address');
if (!z.email().safeParse(normalizeEmail(address)).success) fail(`"${address}" is not an email address`);
if (extra.length) fail(`unexpected argument "${extra[0]}"`);
// Loaded after the arguments are read, so --help and a mistyped option answer at once.
const [
  { DynamoDBDocumentClient, GetCommand },
  { dynamoClient },
  { sesEventsDeps },
  { emailKey },
  { resolveSecrets },
  { makeSesEventsRecorder },
  { oneByOne },
] = await Promise.all([
  import('@aws-sdk/lib-dynamodb'),
  import('../lambdas/adapters/clients.ts'),
  import('../lambdas/compose.ts'),
  import('../lambdas/adapters/dynamo-keys.ts'),
  import('../lambdas/adapters/secrets.ts'),
  import('../lambdas/handlers/ses-events.ts'),
  import('./sqs-batch.ts'),
]);
// Quieter than Lambda's default in a terminal; POWERTOOLS_LOG_LEVEL still wins.
if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');

// Quick against a running npm start; should it hang (a busy machine, a retrying client), say what it waits for.
const working = progress('simulate', { quietFor: 2000 });
working.step('finding the latest email sent to that address');
const config = await resolveSecrets(
  localConfig({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8006}` }),
);
const deps = sesEventsDeps(config);
const doc = DynamoDBDocumentClient.from(dynamoClient(config));

const email = normalizeEmail(address);
const pointer = (
  await doc.send(new GetCommand({ TableName: config.TABLE_NAME, Key: emailKey(email) })).catch(unreachable)
).Item;
const leadId = pointer?.leadId as string | undefined;
const last = leadId ? (await deps.store.messages(leadId)).filter((m) => m.messageId).at(-1) : undefined;
if (!leadId || !last?.messageId) {
  console.error(
    `No email has been sent to ${email} in the local service (is \`npm start\` running on DYNAMODB_PORT ${process.env.DYNAMODB_PORT ?? 8006}?).`,
  );
  process.exit(1);
}

const { type, section } = KINDS[kind as keyof typeof KINDS];
working.step(`applying the ${kind} through the SES events handler`);
const result = await oneByOne(makeSesEventsRecorder(deps))(
  sesEventFor(type, last.messageId, { leadId, sequenceId: last.sequenceId, stepId: last.stepId }, new Date(), section),
);
const lead = await deps.store.get(leadId);
working.done();
console.log(`${kind} for "${last.stepId}" (message ${last.messageId}): ${result}. Lead is now ${lead?.status}.`);

/** The first read failed: most likely no `npm start` is running. One line, not a stack trace. */
function unreachable(error: Error): never {
  console.error(
    `Could not read the local table at ${config.DYNAMODB_ENDPOINT} (${error.name}: ${error.message}): is \`npm start\` running on DYNAMODB_PORT ${process.env.DYNAMODB_PORT ?? 8006}?`,
  );
  process.exit(1);
}
