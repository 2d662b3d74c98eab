/** Leads written straight into the table, each with its second step due at `dueAt(i)`. */
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { leadKey } from '../lambdas/adapters/dynamo-keys.ts';
import { shardFor } from '../lambdas/domain/lead.ts';

/** `onWritten`: told how many have been written so far, for a progress line. */
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
