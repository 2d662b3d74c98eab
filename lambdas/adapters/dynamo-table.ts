/** What the three DynamoDB stores share: the document client on the one table, item expiry, and conditional updates. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export interface TableOptions {
  tableName: string;
  /** Due index shards: a lead's `dueShard` is one of [0, shards). */
  shards: number;
  /** Days after which TTL deletes a lead's items (the privacy promise). */
  retentionDays: number;
}

export type UpdateInput = Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>;

export class DynamoTable {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly name: string,
    private readonly retentionDays = 0,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** The TTL attribute's value for an item written at `from`: epoch seconds, `retentionDays` later. */
  expiry(from: Date): number {
    return Math.floor(from.getTime() / 1000) + this.retentionDays * 86_400;
  }

  /** An UpdateItem under a condition: false when the condition did not hold, and nothing was written. */
  async conditionalUpdate(input: UpdateInput): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.name, ...input }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
