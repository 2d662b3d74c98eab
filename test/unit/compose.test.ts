import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { dynamoClient } from '../../lambdas/adapters/clients.ts';
import { lambdaEntry, readConfig, unsubscribeDeps } from '../../lambdas/compose.ts';
import { signUnsubscribeToken } from '../../lambdas/domain/unsubscribe-token.ts';
import { handler as sesEventsLambda } from '../../lambdas/handlers/ses-events.ts';
import { makeUnsubscribeHandler } from '../../lambdas/handlers/unsubscribe.ts';
import { sqsEvent } from '../../local/sqs-batch.ts';
import { ensureTable } from '../../local/table.ts';

/**
 * `lambdaEntry`: config and secrets are read once per container, on the first event. A start that fails is not kept
 * (the next event starts again); a start that succeeds is kept (no event after it reads config again).
 */

const FIRST_SECRET = 'first-unsubscribe-secret-of-32-chars!';
const SECOND_SECRET = 'second-unsubscribe-secret-of-32-chars';

/** A GET /unsubscribe, as API Gateway hands it over: the preference page, which reads the lead (none here). */
const unsubscribePage = (token: string) =>
  ({
    version: '2.0',
    routeKey: 'GET /unsubscribe',
    rawPath: '/unsubscribe',
    rawQueryString: `token=${encodeURIComponent(token)}`,
    headers: {},
    requestContext: { http: { method: 'GET', path: '/unsubscribe' } },
  }) as never;

/**
 * The environment a Lambda gets, except the unsubscribe secret (and its ARN), which each test sets or leaves out; its
 * table on the local DynamoDB.
 */
async function lambdaEnvironment() {
  const endpoint = inject('dynamoEndpoint');
  await ensureTable(dynamoClient({ AWS_REGION: 'us-east-1', DYNAMODB_ENDPOINT: endpoint }), 'nurture-compose-test');
  vi.stubEnv('DYNAMODB_ENDPOINT', endpoint);
  vi.stubEnv('TABLE_NAME', 'nurture-compose-test');
  vi.stubEnv('SES_CONFIGURATION_SET', 'nurture-compose-test');
  vi.stubEnv('PUBLIC_BASE_URL', 'https://nurture.example.com');
  vi.stubEnv('UNSUBSCRIBE_SECRET', undefined);
  vi.stubEnv('UNSUBSCRIBE_SECRET_ARN', undefined);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('lambdaEntry', () => {
  it('real config loading: a start that fails on a missing secret is retried on the next event; the good start is then kept', async () => {
    await lambdaEnvironment();
    // The unsubscribe Lambda's own builder, with the default loader (environment, then secrets).
    const handler = lambdaEntry((config) => makeUnsubscribeHandler(unsubscribeDeps(config)), readConfig);
    const token = signUnsubscribeToken('01JCOMPOSELEAD', FIRST_SECRET);

    await expect(handler(unsubscribePage(token))).rejects.toThrow(/Invalid configuration: UNSUBSCRIBE_SECRET/);
    // Still failing: each event tries the start again, and fails the same way while the secret is missing.
    await expect(handler(unsubscribePage(token))).rejects.toThrow(/Invalid configuration: UNSUBSCRIBE_SECRET/);

    vi.stubEnv('UNSUBSCRIBE_SECRET', FIRST_SECRET);
    expect((await handler(unsubscribePage(token))).statusCode).toBe(200);

    // The started container keeps the config it read: a changed environment is not read again.
    vi.stubEnv('UNSUBSCRIBE_SECRET', SECOND_SECRET);
    expect((await handler(unsubscribePage(token))).statusCode).toBe(200);
    expect((await handler(unsubscribePage(signUnsubscribeToken('01JCOMPOSELEAD', SECOND_SECRET)))).statusCode).toBe(
      400,
    );
  });

  it('a failed loader is run again on the next event; after a good start, neither the loader nor the builder runs again', async () => {
    let loads = 0;
    let builds = 0;
    const readConfig = async () => {
      loads++;
      if (loads === 1) throw new Error('secret not reachable yet');
      return { secret: `secret-from-load-${loads}` };
    };
    const handler = lambdaEntry((config: { secret: string }) => {
      builds++;
      return async (event: string) => `${event}:${config.secret}`;
    }, readConfig);

    await expect(handler('first')).rejects.toThrow('secret not reachable yet');
    expect({ loads, builds }).toEqual({ loads: 1, builds: 0 });

    expect(await handler('second')).toBe('second:secret-from-load-2');
    expect(await handler('third')).toBe('third:secret-from-load-2');
    expect(await Promise.all([handler('fourth'), handler('fifth')])).toEqual([
      'fourth:secret-from-load-2',
      'fifth:secret-from-load-2',
    ]);
    expect({ loads, builds }).toEqual({ loads: 2, builds: 1 });
  });

  it('a failed build is retried too, and concurrent first events share one start', async () => {
    let loads = 0;
    let builds = 0;
    const handler = lambdaEntry(
      async (config: number) => {
        builds++;
        if (builds === 1) throw new Error('client could not be made');
        return async (event: string) => `${event}:${config}`;
      },
      () => ++loads,
    );

    const cold = await Promise.allSettled([handler('a'), handler('b')]);
    expect(cold.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect({ loads, builds }).toEqual({ loads: 1, builds: 1 });

    expect(await Promise.all([handler('c'), handler('d')])).toEqual(['c:2', 'd:2']);
    expect(await handler('e')).toBe('e:2');
    expect({ loads, builds }).toEqual({ loads: 2, builds: 2 });
  });

  it('the SES-event Lambda starts with no unsubscribe secret at all (it signs no link, and the stack grants it none)', async () => {
    await lambdaEnvironment();
    // Not an SES event: dropped without a DynamoDB call (no record failed), once the Lambda has started.
    expect(await sesEventsLambda(sqsEvent([{ 'detail-type': 'Not an SES event' }]))).toEqual({ batchItemFailures: [] });
  });
});
