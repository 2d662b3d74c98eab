/**
 * Locally there is no SES event publishing, so each accepted send is turned into the Send and Delivery events
 * AWS would deliver through EventBridge and SQS, in the same shape, and fed to the same handler.
 */
import type { SQSEvent } from 'aws-lambda';
import { SES_DETAIL_TYPES } from '../lambdas/contract.ts';
import type { Clock, Mailer, OutgoingEmail } from '../lambdas/domain/ports.ts';
import { sqsEvent } from './sqs-batch.ts';

export function sesEventFor(
  eventType: 'Send' | 'Delivery' | 'Open' | 'Click' | 'Bounce' | 'Complaint',
  messageId: string,
  tags: OutgoingEmail['tags'],
  at: Date,
  section: Record<string, unknown> = {},
  /** When SES sent the message (`mail.timestamp`): `at` unless given (an Open or Click comes later). */
  sentAt: Date = at,
) {
  const key = eventType.charAt(0).toLowerCase() + eventType.slice(1);
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': SES_DETAIL_TYPES[eventType],
    source: 'aws.ses',
    time: at.toISOString(),
    detail: {
      eventType,
      mail: {
        messageId,
        timestamp: sentAt.toISOString(),
        tags: {
          leadId: [tags.leadId],
          sequenceId: [tags.sequenceId],
          stepId: [tags.stepId],
          ...(tags.experimentVariant && { experimentVariant: [tags.experimentVariant] }),
        },
      },
      ...(eventType !== 'Send' && { [key]: { timestamp: at.toISOString(), ...section } }),
    },
  };
}

/** Each accepted send's Send and Delivery events, as one SQS batch (they reach SES's queue within seconds). */
export function withEngagementFeed(
  mailer: Mailer,
  record: (event: SQSEvent) => Promise<unknown>,
  clock: Clock,
): Mailer {
  return {
    async send(email) {
      const outcome = await mailer.send(email);
      if (outcome.kind === 'sent') {
        const events = (['Send', 'Delivery'] as const).map((type) =>
          sesEventFor(type, outcome.messageId, email.tags, clock.now()),
        );
        await record(sqsEvent(events, clock.now())).catch((error) => console.error('local engagement feed:', error));
      }
      return outcome;
    },
  };
}
