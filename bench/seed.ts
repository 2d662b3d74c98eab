/**
 * Leads written straight into the table: due leads (each with its second step due at `dueAt(i)`), and leads as the
 * report sees them mid-sequence.
 */
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { clickEntry } from '../lambdas/adapters/dynamo-click-item.ts';
import { leadKey, messageKey } from '../lambdas/adapters/dynamo-keys.ts';
import { messageEntry } from '../lambdas/adapters/dynamo-lead-item.ts';
import { shardFor } from '../lambdas/domain/lead.ts';
import { linkKey } from '../lambdas/domain/machine-clicks.ts';
import { sequences } from '../emails/sequences.ts';

/** Due leads. `onWritten`: told how many have been written so far, for a progress line. */
export async function seedLeads(
  table: string,
  dynamo: DynamoDBClient,
  count: number,
  dueAt: (i: number) => number,
  shards: number,
  onWritten?: (written: number) => void,
): Promise<void> {
  const now = new Date().toISOString();
  const items = Array.from({ length: count }, (_, i) => {
    const leadId = ulid();
    const at = dueAt(i);
    return {
      ...leadKey(leadId),
      type: 'lead',
      leadId,
      email: `seed-${leadId.toLowerCase()}@example.com`,
      firstName: 'Seed',
      timeZone: 'America/New_York',
      consent: { at: now, textVersion: 'bench' },
      attribution: {},
      createdAt: now,
      status: 'active',
      sequenceId: 'nurture',
      sentSteps: ['welcome'],
      nextStepId: 'how-it-works',
      nextSendAt: new Date(at).toISOString(),
      rev: 0,
      dueShard: shardFor(leadId, shards),
      dueAt: at,
    };
  });
  await batchWrite(dynamo, table, items, onWritten);
}

/** Write items 25 per BatchWriteItem, with 8 writers; `onWritten` is told how many are written after each batch. */
export async function batchWrite(
  dynamo: DynamoDBClient,
  table: string,
  items: Record<string, unknown>[],
  onWritten?: (written: number) => void,
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(dynamo);
  const batches: (typeof items)[] = [];
  let written = 0;
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const workers = Array.from({ length: 8 }, async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      await doc.send(
        new BatchWriteCommand({ RequestItems: { [table]: batch.map((Item) => ({ PutRequest: { Item } })) } }),
      );
      onWritten?.((written += batch.length));
    }
  });
  await Promise.all(workers);
}

/**
 * The items of `leads` leads as they look mid-sequence: a profile with one to eight message records, each message's
 * MSG# item as its SES events left it (delivered, opened, a click on every fourth email), and one booking in twenty
 * (what the report reads).
 */
export function midSequenceItems(leads: number): Record<string, unknown>[] {
  const steps = sequences.nurture!.steps.map((step) => step.id);
  const start = Date.parse('2026-01-05T15:00:00Z');
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < leads; i++) {
    const leadId = ulid();
    const sent = steps.slice(0, 1 + (i % steps.length));
    const iso = (day: number) => new Date(start + day * 86_400_000).toISOString();
    const messageIds = sent.map(() => ulid());
    items.push({
      ...leadKey(leadId),
      type: 'lead',
      leadId,
      email: `report-${leadId.toLowerCase()}@example.com`,
      firstName: 'Seed',
      timeZone: 'America/New_York',
      consent: { at: iso(0), textVersion: 'bench' },
      attribution: {},
      createdAt: iso(0),
      status: i % 20 === 0 ? 'booked' : 'active',
      sequenceId: 'nurture',
      sentSteps: sent,
      ...(i % 20 === 0 && { bookedAt: iso(sent.length * 3) }),
      msgs: sent.map((stepId, n) =>
        messageEntry({
          leadId,
          sequenceId: 'nurture',
          stepId,
          state: 'sent',
          at: new Date(iso(n * 3)),
          messageId: messageIds[n]!,
        }),
      ),
      lastMessageId: messageIds.at(-1),
    });
    sent.forEach((stepId, n) => {
      const clicked = (i + n) % 4 === 0;
      items.push({
        ...messageKey(leadId, 'nurture', stepId),
        messageId: messageIds[n],
        firstDeliveryAt: iso(n * 3 + 1),
        firstOpenAt: iso(n * 3 + 1),
        // A person's click, a day after the delivery (one at the delivery would be a mail scanner's).
        ...(clicked && {
          clicks: new Set([clickEntry({ at: iso(n * 3 + 2), link: linkKey('https://clinic.example/book') })]),
          sentAt: iso(n * 3),
        }),
      });
    });
  }
  return items;
}
