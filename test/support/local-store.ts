/** Read what a running local runtime (`startLocal`, as `npm start` runs it) holds, through the stores themselves. */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { auditPartition } from '../../lambdas/adapters/dynamo-keys.ts';
import { DynamoEventStore } from '../../lambdas/adapters/dynamo-event-store.ts';
import { DynamoLeadStore } from '../../lambdas/adapters/dynamo-lead-store.ts';
import { DynamoReportSource } from '../../lambdas/adapters/dynamo-report-source.ts';
import { localConfig } from '../../local/local-config.ts';
import type { LocalRuntime } from '../../local/runtime.ts';

function onRuntime(runtime: Pick<LocalRuntime, 'dynamoEndpoint'>) {
  const config = localConfig();
  const client = dynamoClient({ AWS_REGION: config.AWS_REGION, DYNAMODB_ENDPOINT: runtime.dynamoEndpoint });
  return {
    client,
    options: { tableName: config.TABLE_NAME, shards: config.DUE_SHARDS, retentionDays: config.RETENTION_DAYS },
  };
}

/** The lead store on the runtime's own DynamoDB and table. */
export function localStore(runtime: Pick<LocalRuntime, 'dynamoEndpoint'>): DynamoLeadStore {
  const { client, options } = onRuntime(runtime);
  return new DynamoLeadStore(client, options);
}

/** The event store (SES events, suppressions) on the runtime's own DynamoDB and table. */
export function localEvents(runtime: Pick<LocalRuntime, 'dynamoEndpoint'>): DynamoEventStore {
  const { client, options } = onRuntime(runtime);
  return new DynamoEventStore(client, options);
}

/** What the report reads of the runtime's table (each message with what SES events told of it). */
export function localReport(runtime: Pick<LocalRuntime, 'dynamoEndpoint'>): DynamoReportSource {
  const { client, options } = onRuntime(runtime);
  return new DynamoReportSource(client, options.tableName);
}

/** The audit items of exports and erasures in the runtime's table, oldest first. */
export async function localAudit(runtime: Pick<LocalRuntime, 'dynamoEndpoint'>): Promise<Record<string, unknown>[]> {
  const { client, options } = onRuntime(runtime);
  const { Items = [] } = await DynamoDBDocumentClient.from(client).send(
    new QueryCommand({
      TableName: options.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': auditPartition },
      ConsistentRead: true,
    }),
  );
  return Items;
}
