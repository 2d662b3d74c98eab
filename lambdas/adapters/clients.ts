/** AWS clients and the wiring built on them: created once per process, from the validated config. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { ulid } from 'ulid';
import type { Clinic } from '../../emails/clinic.ts';
import { sequences as defaultSequences, type EmailStep } from '../../emails/sequences.ts';
import type { Sequence } from '../domain/sequence.ts';
import { loadConfig, type Config, type ResolvedConfig } from '../config.ts';
import type { DispatchDeps } from '../domain/dispatch.ts';
import type { Clock } from '../domain/ports.ts';
import { signUnsubscribeToken } from '../domain/unsubscribe-token.ts';
import { DynamoDeliveryLog } from './dynamo-delivery-log.ts';
import { DynamoEventStore } from './dynamo-event-store.ts';
import { DynamoLeadStore } from './dynamo-lead-store.ts';
import { log } from './log.ts';
import { pacer } from './pace.ts';
import { ReactEmailRenderer } from './renderer.ts';
import { resolveSecrets } from './secrets.ts';
import { SesMailer } from './ses-mailer.ts';

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
    requestHandler: { connectionTimeout: 3_000, requestTimeout: config.SES_TIMEOUT_SECONDS * 1000, throwOnRequestTimeout: true },
    ...(config.SES_ENDPOINT && { endpoint: config.SES_ENDPOINT, credentials: localCredentials }),
  });
}

export function clinicFor(config: Config): Clinic {
  return {
    name: config.CLINIC_NAME,
    postalAddress: config.CLINIC_POSTAL_ADDRESS,
    phone: config.CLINIC_PHONE,
    website: config.CLINIC_WEBSITE,
    bookingUrl: config.BOOKING_URL,
    fromAddress: config.FROM_ADDRESS,
    replyTo: config.REPLY_TO_ADDRESS,
    defaultTimeZone: config.DEFAULT_TIME_ZONE,
  };
}

/** The sequences with the stage's send window, when config overrides it. */
export function sequencesFor(config: Config): Record<string, Sequence<EmailStep>> {
  const start = config.SEND_WINDOW_START;
  const end = config.SEND_WINDOW_END;
  if (!start && !end) return defaultSequences;
  return Object.fromEntries(Object.entries(defaultSequences).map(([id, sequence]) => [id, { ...sequence, window: { start: start ?? sequence.window.start, end: end ?? sequence.window.end } }]));
}

export interface Wiring {
  config: ResolvedConfig;
  clinic: Clinic;
  store: DynamoLeadStore;
  events: DynamoEventStore;
  deliveries: DynamoDeliveryLog;
  dispatch: DispatchDeps;
  newId: () => string;
}

/** Everything the handlers need, built from config. `clock` and `sendRate` are the local runtime's and tests' knobs. */
export function wire(config: ResolvedConfig, { clock, sendRate, dynamo, ses }: { clock: Clock; sendRate: number; dynamo?: DynamoDBClient; ses?: SESClient }): Wiring {
  const clinic = clinicFor(config);
  const sequences = sequencesFor(config);
  const client = dynamo ?? dynamoClient(config);
  const tableOptions = { tableName: config.TABLE_NAME, shards: config.DUE_SHARDS, retentionDays: config.RETENTION_DAYS };
  const store = new DynamoLeadStore(client, tableOptions);
  // One pacer for every send this process makes: turns before the in-flight mark, admission at the SES request.
  const pace = pacer(sendRate);
  const mailer = new SesMailer(ses ?? sesClient(config), {
    from: { name: clinic.name, address: clinic.fromAddress },
    replyTo: clinic.replyTo,
    configurationSet: config.SES_CONFIGURATION_SET,
    admit: pace.admit,
  });
  return {
    config,
    clinic,
    store,
    events: new DynamoEventStore(client, tableOptions),
    deliveries: new DynamoDeliveryLog(client, tableOptions),
    newId: ulid,
    dispatch: {
      store,
      mailer,
      renderer: new ReactEmailRenderer(sequences, clinic),
      clock,
      log,
      sequences,
      settings: {
        shards: config.DUE_SHARDS,
        leaseMs: config.LEASE_SECONDS * 1000,
        retryDelayMs: config.RETRY_DELAY_SECONDS * 1000,
        batchPerShard: config.BATCH_PER_SHARD,
        concurrency: config.DISPATCH_CONCURRENCY,
        runBudgetMs: 50_000,
      },
      unsubscribeUrl: (leadId) => `${config.PUBLIC_BASE_URL}/unsubscribe?token=${encodeURIComponent(signUnsubscribeToken(leadId, config.UNSUBSCRIBE_SECRET))}`,
      pace: pace.turn,
    },
  };
}

/**
 * A Lambda entry point: on the first event, config is read (failing loudly on a bad value) and its secrets resolved,
 * and `build` makes the handler the container keeps. A failed start is not kept: the next event tries again.
 */
export function lambdaEntry<E, R>(build: (config: ResolvedConfig) => ((event: E) => Promise<R>) | Promise<(event: E) => Promise<R>>): (event: E) => Promise<R> {
  let handle: Promise<(event: E) => Promise<R>> | undefined;
  return async (event) => {
    handle ??= resolveSecrets(loadConfig())
      .then(build)
      .catch((error: unknown) => {
        handle = undefined;
        throw error;
      });
    return (await handle)(event);
  };
}
