/**
 * The delivery log (port `DeliveryLog`) on the one table: booking webhook deliveries already acted on.
 *
 * Items (pk, sk; formats in `lambdas/contract.ts`):
 *   HOOK#<sha256 of the signature>, HOOK   a delivery acted on in the last day: a replay changes nothing
 *
 * Access patterns:
 *   booking            Get HOOK# before acting on a delivery, Put HOOK# (with a one-day TTL) after
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryLog } from '../domain/ports.ts';
import { deliveryKey } from './dynamo-keys.ts';
import { DynamoTable, type TableOptions } from './dynamo-table.ts';

/** How long a delivery is remembered: longer than its signature stays valid (5 minutes), so every replay is caught. */
const REMEMBER_SECONDS = 86_400;

export class DynamoDeliveryLog implements DeliveryLog {
  private readonly table: DynamoTable;

  constructor(client: DynamoDBClient, options: Pick<TableOptions, 'tableName'>) {
    this.table = new DynamoTable(client, options.tableName);
  }

  async seen(key: string): Promise<boolean> {
    const result = await this.table.doc.send(
      new GetCommand({ TableName: this.table.name, Key: deliveryKey(key), ConsistentRead: true }),
    );
    return result.Item !== undefined;
  }

  async remember(key: string, now: Date): Promise<void> {
    await this.table.doc.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...deliveryKey(key),
          type: 'delivery',
          at: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + REMEMBER_SECONDS,
        },
      }),
    );
  }
}
