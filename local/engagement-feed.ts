/**
 * Locally there is no SES event publishing, so each accepted send is turned into the Send and Delivery events
 * AWS would deliver through EventBridge, in the same shape, and fed to the same handler.
 */
import { SES_DETAIL_TYPES } from '../lambdas/contract.ts';
import type { Clock, Mailer, OutgoingEmail } from '../lambdas/domain/ports.ts';

export function sesEventFor(
  eventType: 'Send' | 'Delivery' | 'Open' | 'Click' | 'Bounce' | 'Complaint',
  messageId: string,
  tags: OutgoingEmail['tags'],
  at: Date,
  section: Record<string, unknown> = {},
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
        timestamp: at.toISOString(),
        tags: { leadId: [tags.leadId], sequenceId: [tags.sequenceId], stepId: [tags.stepId] },
      },
      ...(eventType !== 'Send' && { [key]: { timestamp: at.toISOString(), ...section } }),
    },
  };
}

export function withEngagementFeed(mailer: Mailer, record: (event: unknown) => Promise<unknown>, clock: Clock): Mailer {
  return {
    async send(email) {
      const outcome = await mailer.send(email);
      if (outcome.kind === 'sent') {
        for (const type of ['Send', 'Delivery'] as const) {
          await record(sesEventFor(type, outcome.messageId, email.tags, clock.now())).catch((error) =>
            console.error('local engagement feed:', error),
          );
        }
      }
      return outcome;
    },
  };
}
