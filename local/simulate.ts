/**
 * `npm run simulate -- bounce|complaint|soft-bounce <email>`: inject the SES event a mailbox provider would cause,
 * for the latest email sent to that address, into the running local service (`npm start`).
 * It goes through the same handler as EventBridge's events in AWS.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../lambdas/adapters/clock.ts';
import { dynamoClient, wire } from '../lambdas/adapters/clients.ts';
import { emailKey } from '../lambdas/adapters/dynamo-lead-store.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { normalizeEmail } from '../lambdas/domain/signup.ts';
import { logger } from '../lambdas/adapters/log.ts';
import { makeSesEventsHandler } from '../lambdas/handlers/ses-events.ts';
import { sesEventFor } from './engagement-feed.ts';
import { localConfig } from './local-config.ts';

const KINDS = {
  bounce: { type: 'Bounce', section: { bounceType: 'Permanent', bounceSubType: 'General' } },
  'soft-bounce': { type: 'Bounce', section: { bounceType: 'Transient', bounceSubType: 'MailboxFull' } },
  complaint: { type: 'Complaint', section: { complaintFeedbackType: 'abuse' } },
} as const;

const [kind, address] = process.argv.slice(2);
if (!kind || !(kind in KINDS) || !address) {
  console.error('usage: npm run simulate -- bounce|soft-bounce|complaint <email>');
  process.exit(2);
}
// Quieter than Lambda's default in a terminal; POWERTOOLS_LOG_LEVEL still wins.
if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');

const config = await resolveSecrets(localConfig({ DYNAMODB_ENDPOINT: `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? 8006}` }));
const wiring = wire(config, { clock: systemClock, sendRate: 1, dynamo: dynamoClient(config) });
const doc = DynamoDBDocumentClient.from(dynamoClient(config));

const email = normalizeEmail(address);
const pointer = (await doc.send(new GetCommand({ TableName: config.TABLE_NAME, Key: emailKey(email) }))).Item;
const leadId = pointer?.leadId as string | undefined;
const last = leadId ? (await wiring.store.messages(leadId)).filter((m) => m.messageId).at(-1) : undefined;
if (!leadId || !last?.messageId) {
  console.error(`No email has been sent to ${email} in the local service (is \`npm start\` running on DYNAMODB_PORT ${process.env.DYNAMODB_PORT ?? 8006}?).`);
  process.exit(1);
}

const { type, section } = KINDS[kind as keyof typeof KINDS];
const result = await makeSesEventsHandler(wiring)(sesEventFor(type, last.messageId, { leadId, sequenceId: last.sequenceId, stepId: last.stepId }, new Date(), section));
const lead = await wiring.store.get(leadId);
console.log(`${kind} for "${last.stepId}" (message ${last.messageId}): ${result}. Lead is now ${lead?.status}.`);
