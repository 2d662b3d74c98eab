/**
 * Human clicks put straight on a lead item, as engagement writes them (contract 1 of issue #16: a string set
 * `humanClicks`, entries `<stepId>` and `<stepId>:<link>`), for tests of what the clicks steer rather than how a
 * click is judged human. Until the click filtering lands, the branch tests seed clicks with this.
 */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { leadKey } from '../../lambdas/adapters/dynamo-keys.ts';
import type { TestEnv } from '../integration/harness.ts';

/** Add human clicks to a lead: each `<stepId>:<link>` entry comes with its `<stepId>` entry, as engagement adds them. */
export async function seedHumanClicks(env: TestEnv, leadId: string, ...entries: string[]): Promise<void> {
  const all = new Set(entries.flatMap((entry) => [entry, entry.split(':')[0]!]));
  await DynamoDBDocumentClient.from(dynamoClient(env.config)).send(
    new UpdateCommand({
      TableName: env.config.TABLE_NAME,
      Key: leadKey(leadId),
      UpdateExpression: 'ADD humanClicks :clicks',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':clicks': all },
    }),
  );
}

/** Take human clicks back off a lead, as engagement does when a burst shows them to be a machine's. */
export async function removeHumanClicks(env: TestEnv, leadId: string, ...entries: string[]): Promise<void> {
  await DynamoDBDocumentClient.from(dynamoClient(env.config)).send(
    new UpdateCommand({
      TableName: env.config.TABLE_NAME,
      Key: leadKey(leadId),
      UpdateExpression: 'DELETE humanClicks :clicks',
      ExpressionAttributeValues: { ':clicks': new Set(entries) },
    }),
  );
}
