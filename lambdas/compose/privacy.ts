/**
 * POST /admin/api/privacy/export and /erase's parts: the table's privacy store (`DynamoPrivacy`), keyed by the
 * unsubscribe secret for the address hash an erasure keeps, the clock and the logger. No renderer, template, mailer or
 * SES client. `npm run privacy` builds its store here too, so the CLI and the routes share one way in.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock } from '../adapters/clock.ts';
import { dynamoClient } from '../adapters/clients.ts';
import { DynamoPrivacy } from '../adapters/dynamo-privacy.ts';
import { log } from '../adapters/log.ts';
import { resolveSecrets } from '../adapters/secrets.ts';
import { loadPrivacyConfig, type PrivacyConfig } from '../config.ts';
import { addressKey } from '../domain/privacy.ts';
import type { Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { loadPrivacyConfig, type PrivacyConfig } from '../config.ts';

/** The privacy Lambda's config, the unsubscribe secret read (from Secrets Manager in AWS). */
export const readPrivacyConfig = () => resolveSecrets(loadPrivacyConfig());

/** The store that finds, erases and audits a person's data on `tableName`, its address hash keyed by `secret`. */
export function personStore(dynamo: DynamoDBClient, tableName: string, unsubscribeSecret: string): DynamoPrivacy {
  return new DynamoPrivacy(dynamo, { tableName, addressKey: addressKey(unsubscribeSecret) });
}

export function privacyDeps(
  config: PrivacyConfig & { UNSUBSCRIBE_SECRET: string },
  { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {},
) {
  return { people: personStore(dynamo, config.TABLE_NAME, config.UNSUBSCRIBE_SECRET), clock, log };
}
