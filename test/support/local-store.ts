/** Read what a running local runtime (`startLocal`, as `npm start` runs it) holds, through the lead store itself. */
import { dynamoClient } from '#adapters/clients';
import { DynamoLeadStore } from '#adapters/dynamo-lead-store';
import { localConfig } from '../../local/local-config.ts';
import type { LocalRuntime } from '../../local/runtime.ts';

/** The lead store on the runtime's own DynamoDB and table. */
export function localStore(runtime: Pick<LocalRuntime, 'dynamoEndpoint'>): DynamoLeadStore {
  const config = localConfig();
  return new DynamoLeadStore(dynamoClient({ AWS_REGION: config.AWS_REGION, DYNAMODB_ENDPOINT: runtime.dynamoEndpoint }), {
    tableName: config.TABLE_NAME,
    shards: config.DUE_SHARDS,
    retentionDays: config.RETENTION_DAYS,
  });
}
