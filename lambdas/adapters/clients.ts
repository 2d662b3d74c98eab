/** The AWS SDK clients, made from the validated config: once per process (see `lambdas/compose.ts`). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import type { Config } from '../config.ts';

/** Emulators accept any credentials; AWS uses the Lambda role's. */
const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function dynamoClient(config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>): DynamoDBClient {
  return new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT && { endpoint: config.DYNAMODB_ENDPOINT, credentials: localCredentials }),
  });
}

export function sesClient(config: Config): SESClient {
  return new SESClient({
    region: config.AWS_REGION,
    maxAttempts: 1,
    // Without throwOnRequestTimeout the SDK only warns at requestTimeout and waits on: a hung SES call would then
    // outlive the claim's lease and the unsubscribe's wait, which both count on SES_TIMEOUT_SECONDS.
    requestHandler: {
      connectionTimeout: 3_000,
      requestTimeout: config.SES_TIMEOUT_SECONDS * 1000,
      throwOnRequestTimeout: true,
    },
    ...(config.SES_ENDPOINT && { endpoint: config.SES_ENDPOINT, credentials: localCredentials }),
  });
}
