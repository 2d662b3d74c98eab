/** The table as the local runtime and the tests create it; lib/ declares the same keys and index for AWS. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DUE_INDEX, DUE_INDEX_KEY, DUE_INDEX_PROJECTION, TABLE_KEY } from '../lambdas/contract.ts';

/** Create the table if it is missing, and return once it is ACTIVE (a new table is briefly CREATING). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await tableStatus(client, tableName)) === undefined) await createTable(client, tableName);
  for (let attempt = 0; (await tableStatus(client, tableName)) !== 'ACTIVE'; attempt++) {
    if (attempt > 200) throw new Error(`table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Keys and the due index, exactly as lib/ declares them for AWS (the infra tests compare the two). */
export const tableDefinition = {
  AttributeDefinitions: [
    { AttributeName: TABLE_KEY.partition, AttributeType: 'S' },
    { AttributeName: TABLE_KEY.sort, AttributeType: 'S' },
    { AttributeName: DUE_INDEX_KEY.partition, AttributeType: 'N' },
    { AttributeName: DUE_INDEX_KEY.sort, AttributeType: 'N' },
  ],
  KeySchema: [
    { AttributeName: TABLE_KEY.partition, KeyType: 'HASH' },
    { AttributeName: TABLE_KEY.sort, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: DUE_INDEX,
      KeySchema: [
        { AttributeName: DUE_INDEX_KEY.partition, KeyType: 'HASH' },
        { AttributeName: DUE_INDEX_KEY.sort, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...DUE_INDEX_PROJECTION] },
    },
  ],
} satisfies Omit<CreateTableCommandInput, 'TableName'>;

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...tableDefinition }),
  );
}
