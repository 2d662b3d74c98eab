/**
 * The composition root: what each handler is built from, and how a Lambda starts.
 *
 * One builder per handler, each making only what that handler uses: the unsubscribe and SES-event handlers get the
 * lead store (and the event store), the clock and the log, and never load the renderer, the templates or an SES
 * client. `composeService` builds every handler's parts at once, for the processes that run the whole service (the
 * local runtime, the bench, the tests). Handlers import this module; adapters never do.
 *
 * A Lambda's bundle keeps only what its handler's builder reaches: package.json declares the project's modules free of
 * import-time side effects (`"sideEffects": false`), so esbuild drops the rest of this module's imports (the unsubscribe
 * bundle has no React, templates or SES client; test/infra/bundle.test.ts checks it).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import { ulid } from 'ulid';
import type { Clinic } from '../emails/clinic.ts';
import { sequences as defaultSequences, type EmailStep } from '../emails/sequences.ts';
import { dynamoClient, sesClient } from './adapters/clients.ts';
import { makeRunReporter } from './adapters/dispatch-metrics.ts';
import { systemClock } from './adapters/clock.ts';
import { DynamoDeliveryLog } from './adapters/dynamo-delivery-log.ts';
import { DynamoEventStore } from './adapters/dynamo-event-store.ts';
import { DynamoLeadStore } from './adapters/dynamo-lead-store.ts';
import { DynamoReportSource } from './adapters/dynamo-report-source.ts';
import type { TableOptions } from './adapters/dynamo-table.ts';
import { log } from './adapters/log.ts';
import { pacer } from './adapters/pace.ts';
import { ReactEmailRenderer } from './adapters/renderer.ts';
import { resolveSecrets } from './adapters/secrets.ts';
import { adminPage } from './adapters/report-page.tsx';
import { makeQuotaReporter, readSendQuota } from './adapters/send-quota.ts';
import { SesMailer } from './adapters/ses-mailer.ts';
import { loadConfig, type AdminConfig, type Config, type ResolvedConfig, type SesEventsConfig } from './config.ts';
import { ROUTES } from './contract.ts';
import type { DispatchDeps } from './domain/dispatch.ts';
import type { Clock, LeadStore } from './domain/ports.ts';
import type { Sequence } from './domain/sequence.ts';
import { signUnsubscribeToken } from './domain/unsubscribe-token.ts';

// What handlers read through this module rather than from config.ts and emails/ themselves.
export type { Clinic } from '../emails/clinic.ts';
export { loadAdminConfig, loadSesEventsConfig } from './config.ts';
export type { AdminConfig, Config, ResolvedConfig, SesEventsConfig } from './config.ts';

/** What a builder may be handed instead of making it: the local runtime's fast clock, the tests' own clients. */
export interface Parts {
  /** Default: the system clock. */
  clock?: Clock;
  dynamo?: DynamoDBClient;
  ses?: SESClient;
  /** Emails per second, for every send this process makes. Default: MAX_SEND_RATE, else 1. */
  sendRate?: number;
}

/**
 * A Lambda entry point: on the first event, config is read (failing loudly on a bad value) and its secrets resolved,
 * and `build` makes the handler the container keeps. A failed start is not kept: the next event tries again.
 * `readConfig` replaces the full config for a Lambda that needs less (the admin report and the SES-event recorder read
 * no secret).
 */
export function lambdaEntry<E, R>(build: (config: ResolvedConfig) => Built<E, R>): (event: E) => Promise<R>;
export function lambdaEntry<C, E, R>(
  build: (config: C) => Built<E, R>,
  readConfig: () => C | Promise<C>,
): (event: E) => Promise<R>;
export function lambdaEntry<E, R>(
  build: (config: never) => Built<E, R>,
  readConfig: () => unknown = () => resolveSecrets(loadConfig()),
): (event: E) => Promise<R> {
  let handle: Promise<(event: E) => Promise<R>> | undefined;
  return async (event) => {
    handle ??= Promise.resolve()
      .then(readConfig)
      .then((config) => build(config as never))
      .catch((error: unknown) => {
        handle = undefined;
        throw error;
      });
    return (await handle)(event);
  };
}

type Built<E, R> = ((event: E) => Promise<R>) | Promise<(event: E) => Promise<R>>;

/** POST /signup: the lead store, and the dispatcher's parts to send the welcome at once. */
export function signupDeps(config: ResolvedConfig, parts: Parts = {}) {
  const dynamo = parts.dynamo ?? dynamoClient(config);
  return {
    config,
    clinic: clinicFor(config),
    dispatch: sendingDeps(config, { ...parts, dynamo }),
    events: new DynamoEventStore(dynamo, tableOptions(config)),
    newId: ulid,
  };
}

/** POST /booking: the lead store, the delivery log, and the dispatcher's parts to send the confirmation at once. */
export function bookingDeps(config: ResolvedConfig, parts: Parts = {}) {
  const dynamo = parts.dynamo ?? dynamoClient(config);
  return {
    config,
    dispatch: sendingDeps(config, { ...parts, dynamo }),
    events: new DynamoEventStore(dynamo, tableOptions(config)),
    deliveries: new DynamoDeliveryLog(dynamo, tableOptions(config)),
    newId: ulid,
    signatureClock: systemClock,
  };
}

/** /unsubscribe: the lead store only. No mailer, renderer or templates. */
export function unsubscribeDeps(
  config: ResolvedConfig,
  { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {},
) {
  return { config, clinic: clinicFor(config), store: new DynamoLeadStore(dynamo, tableOptions(config)), clock, log };
}

/** SES events: the lead store and the event store. No mailer, renderer, templates or secret. */
export function sesEventsDeps(
  config: SesEventsConfig,
  { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {},
) {
  const options = tableOptions(config);
  return {
    config,
    store: new DynamoLeadStore(dynamo, options),
    events: new DynamoEventStore(dynamo, options),
    clock,
    log,
  };
}

/**
 * The scheduled dispatcher. In AWS its pace is SES's own maximum send rate unless MAX_SEND_RATE is set, and after
 * each run it publishes what the run did (the heartbeat and one count per outcome) and SES's quota use.
 */
export async function dispatcherDeps(config: ResolvedConfig, parts: Parts = {}) {
  const ses = parts.ses ?? sesClient(config);
  const sendRate = parts.sendRate ?? config.MAX_SEND_RATE ?? (await readSendQuota(ses))?.maxSendRate ?? 1;
  return {
    dispatch: sendingDeps(config, { ...parts, ses, sendRate }),
    reportRun: makeRunReporter(),
    reportQuota: makeQuotaReporter(ses),
  };
}

/** GET /admin, /admin/report: the report's reader over the table, and the page it is shown on. Reads no secret. */
export function adminDeps(config: AdminConfig, { clock = systemClock, dynamo = dynamoClient(config) }: Parts = {}) {
  return {
    reports: new DynamoReportSource(dynamo, config.TABLE_NAME),
    sequences: defaultSequences,
    clock,
    page: adminPage,
  };
}

/** What sending a step takes (the domain's `DispatchDeps`): the dispatcher's, and sign-up's and booking's first email. */
export function sendingDeps(config: ResolvedConfig, parts: Parts = {}): DispatchDeps {
  return sending(config, new DynamoLeadStore(parts.dynamo ?? dynamoClient(config), tableOptions(config)), parts);
}

/**
 * Every handler's parts in one process, over one DynamoDB client, one SES client and one pacer (so all sends together
 * keep the rate): how the local runtime, the bench and the tests run the whole service. A Lambda never does.
 */
export function composeService(config: ResolvedConfig, parts: Parts = {}) {
  const clock = parts.clock ?? systemClock;
  const dynamo = parts.dynamo ?? dynamoClient(config);
  const options = tableOptions(config);
  const store = new DynamoLeadStore(dynamo, options);
  return {
    config,
    clinic: clinicFor(config),
    clock,
    log,
    newId: ulid,
    signatureClock: systemClock,
    store,
    events: new DynamoEventStore(dynamo, options),
    deliveries: new DynamoDeliveryLog(dynamo, options),
    dispatch: sending(config, store, { ...parts, clock }),
  };
}

export type Service = ReturnType<typeof composeService>;

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
  return Object.fromEntries(
    Object.entries(defaultSequences).map(([id, sequence]) => [
      id,
      { ...sequence, window: { start: start ?? sequence.window.start, end: end ?? sequence.window.end } },
    ]),
  );
}

function tableOptions(config: Pick<Config, 'TABLE_NAME' | 'DUE_SHARDS' | 'RETENTION_DAYS'>): TableOptions {
  return { tableName: config.TABLE_NAME, shards: config.DUE_SHARDS, retentionDays: config.RETENTION_DAYS };
}

function sending(
  config: ResolvedConfig,
  store: LeadStore,
  { clock = systemClock, ses = sesClient(config), sendRate = config.MAX_SEND_RATE ?? 1 }: Parts,
): DispatchDeps {
  const clinic = clinicFor(config);
  const sequences = sequencesFor(config);
  // One pacer for every send this process makes: turns before the in-flight mark, admission at the SES request.
  const pace = pacer(sendRate);
  const mailer = new SesMailer(ses, {
    from: { name: clinic.name, address: clinic.fromAddress },
    replyTo: clinic.replyTo,
    configurationSet: config.SES_CONFIGURATION_SET,
    admit: pace.admit,
  });
  return {
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
    unsubscribeUrl: (leadId) =>
      `${config.PUBLIC_BASE_URL}${ROUTES.unsubscribe}?token=${encodeURIComponent(signUnsubscribeToken(leadId, config.UNSUBSCRIBE_SECRET))}`,
    pace: pace.turn,
  };
}
