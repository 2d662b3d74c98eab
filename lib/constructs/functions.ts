/**
 * One NurtureFunction per entry of `lib/handlers.ts`, with what the entry asks for: table access, secrets, SES
 * sending, the stage's settings in its environment, and its triggers (API routes, a schedule, SES events through a
 * queue). Failed asynchronous invocations and undeliverable events go to one KMS-encrypted dead-letter queue; SES
 * events the handler failed on again and again, to the SES events' own.
 */
import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SES_EVENT_BATCH } from '../../lambdas/contract.ts';
import type { StageConfig } from '../config.ts';
import type { HandlerSpec, SecretName } from '../handlers.ts';
import { NurtureFunction } from '../nurture-function.ts';
import type { Api } from './api.ts';
import type { Data } from './data.ts';
import type { Email } from './email.ts';
import type { ReportSignIn } from './report-sign-in.ts';

/** The environment variable that carries each secret's ARN (read by `lambdas/config.ts`). */
const SECRET_ENV: Record<SecretName, string> = { unsubscribe: 'UNSUBSCRIBE_SECRET_ARN', booking: 'BOOKING_SECRET_ARN' };

export interface FunctionsProps {
  /** The entries of `lib/handlers.ts` to build; `dispatch` must be one of them. */
  handlers: HandlerSpec[];
  /** The stage: the clinic, sender and send window go into every function's environment. */
  config: StageConfig;
  /** The base of every link in an email: the API's URL, or the stage's own domain for it. */
  publicBaseUrl: string;
  /** The key (log groups, dead letters), the table and the secrets. */
  data: Data;
  /** The identity and configuration set to send through, and the SES events to receive. */
  email: Email;
  /** Where handlers with routes are reachable. */
  api: Api;
  /** The report's sign-in: its authorizer guards `signed-in` routes, its settings go to handlers that ask (`signIn`). */
  signIn: ReportSignIn;
  removalPolicy: RemovalPolicy;
}

export class Functions extends Construct {
  /** By handler file name (`ses-events`, not `SesEvents`). */
  readonly functions: Record<string, NurtureFunction> = {};
  /** The `dispatch` handler, which the schedule runs. */
  readonly dispatcher: NurtureFunction;
  /** Failed asynchronous invocations and undeliverable events. */
  readonly deadLetterQueue: Queue;
  /** The SES events' queue, and where an event goes after the handler failed on it `SES_EVENT_RECEIVES` times. */
  readonly sesEvents?: SesEventQueues;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { config, data, email, api } = props;

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: data.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const environment = handlerEnvironment(
      config,
      props.publicBaseUrl,
      email.configurationSet.configurationSetName,
      Stack.of(this).stackName,
    );

    for (const spec of props.handlers) {
      const reservedConcurrency = config.reservedConcurrency?.[spec.handler];
      const fn = new NurtureFunction(this, constructId(spec.handler), {
        handler: spec.handler,
        key: data.key,
        deadLetterQueue: this.deadLetterQueue,
        reservedConcurrency,
        logRetention: config.logRetentionDays,
        removalPolicy: props.removalPolicy,
        // The stage's share of SES's rate, for every function that sends (each paces its own sends at it).
        environment: {
          ...environment,
          ...(spec.sends && config.maxSendRate !== undefined && { MAX_SEND_RATE: String(config.maxSendRate) }),
          ...(spec.fansOut && fanOutEnvironment(config)),
          ...(spec.signIn && {
            ADMIN_USER_POOL_ID: props.signIn.userPool.userPoolId,
            ADMIN_CLIENT_ID: props.signIn.client.userPoolClientId,
            ADMIN_SIGN_IN_URL: props.signIn.signInUrl,
          }),
        },
        memorySize: spec.memorySize,
        timeout: spec.timeout,
        retryAttempts: spec.retryAttempts,
        maxEventAge: spec.maxEventAge,
      });
      this.functions[spec.handler] = fn;
      if (reservedConcurrency === undefined)
        Validations.of(fn).acknowledge({ id: 'HIPAA.Security-LambdaConcurrency', reason: whyUnreserved(spec) });
      fn.bindTable(data.table, spec.table);
      for (const name of Object.keys(SECRET_ENV) as SecretName[])
        if (spec.secrets.includes(name)) fn.bindSecret(SECRET_ENV[name], data.secrets[name]);
      if (spec.sends) fn.allowSesSending(email.identity.emailIdentityArn, email.configurationSet.configurationSetName);
      if (spec.readsSendQuota) fn.allowReadSendQuota();
      // Its workers are invocations of itself: granted only where the stage splits runs across workers.
      if (spec.fansOut && (config.dispatchWorkers ?? 1) > 1) fn.allowInvokeSelf();

      api.addRoutes(fn, spec.routes ?? [], props.signIn.authorizer);
      if (spec.schedule) {
        const minutes =
          reservedConcurrency === undefined ? spec.schedule.unreservedEveryMinutes : spec.schedule.everyMinutes;
        if (reservedConcurrency === undefined && minutes * 60 <= fn.timeout!.toSeconds())
          throw new Error(
            `lib/handlers.ts: ${spec.handler} runs every ${minutes} minute(s) when nothing is reserved for it, which must be longer than its timeout (${fn.timeout!.toSeconds()} s) so two runs never overlap`,
          );
        new Rule(this, `${fn.node.id}Schedule`, {
          description: `Runs the ${spec.handler} handler every ${minutes} minute(s)`,
          schedule: Schedule.rate(Duration.minutes(minutes)),
          targets: [new LambdaFunction(fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 0 })],
        });
      }
      if (spec.sesEvents) {
        const queues = this.sesEventQueues(fn, data.key, reservedConcurrency);
        // The rule's id from when it invoked the function: the deployed rule gets the queue as its target in place.
        email.sendEventsTo(`${fn.node.id}Rule`, spec.handler, queues.queue, this.deadLetterQueue);
        this.sesEvents = queues;
      }
    }

    const dispatcher = this.functions.dispatch;
    if (!dispatcher) throw new Error('lib/handlers.ts must include the dispatch handler');
    this.dispatcher = dispatcher;
  }

  /**
   * The queue SES events wait in for `fn`, taken in batches (`SES_EVENT_BATCH`) by Lambda's SQS event source, each
   * failed record retried alone (`reportBatchItemFailures`), and after `SES_EVENT_RECEIVES` failed tries moved to a
   * dead-letter queue of its own, from which ops redrive it (docs/operations.md). Both are encrypted with the stack's
   * key: an event names its recipient.
   */
  private sesEventQueues(fn: NurtureFunction, key: IKey, reservedConcurrency: number | undefined): SesEventQueues {
    const id = fn.node.id;
    const encrypted = { encryption: QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true };
    // Longer than the queue's: a message keeps its first enqueue time when it moves, and must not expire on arrival.
    const deadLetterQueue = new Queue(this, `${id}DeadLetters`, { ...encrypted, retentionPeriod: Duration.days(14) });
    const queue = new Queue(this, `${id}Queue`, {
      ...encrypted,
      retentionPeriod: Duration.days(4),
      // AWS's advice for a Lambda event source: at least six times the function's timeout (here with the batching
      // window on top), so a batch Lambda is still retrying (throttled, say) is not delivered again meanwhile.
      visibilityTimeout: Duration.seconds(6 * fn.timeout!.toSeconds() + SES_EVENT_BATCH.windowSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: SES_EVENT_RECEIVES },
    });
    if (reservedConcurrency !== undefined && reservedConcurrency < 2)
      throw new Error(
        `cdk.json: reservedConcurrency reserves ${reservedConcurrency} for ${fn.node.id}; an SQS event source needs at least 2 (its maximum concurrency is 2 to 1,000)`,
      );
    const source = fn.addEventSourceMapping(`${id}Source`, {
      eventSourceArn: queue.queueArn,
      batchSize: SES_EVENT_BATCH.maxRecords,
      maxBatchingWindow: Duration.seconds(SES_EVENT_BATCH.windowSeconds),
      reportBatchItemFailures: true,
      // Never more pollers than the function may run: a throttled batch goes back to the queue and uses up a receive,
      // and enough of those would move events that never failed to the dead-letter queue.
      ...(reservedConcurrency !== undefined && { maxConcurrency: reservedConcurrency }),
    });
    fn.allowConsume(queue);
    // Lambda checks the role may receive from the queue when the mapping is created.
    source.node.addDependency(fn.role!);
    return { queue, deadLetterQueue };
  }
}

/** How many times the SES-events handler may fail on an event before it moves to the dead-letter queue. */
export const SES_EVENT_RECEIVES = 5;

export interface SesEventQueues {
  queue: Queue;
  deadLetterQueue: Queue;
}

/** What every handler reads at start (`lambdas/config.ts`), besides the table and the secrets its bindings add. */
function handlerEnvironment(
  config: StageConfig,
  publicBaseUrl: string,
  configurationSetName: string,
  serviceName: string,
): Record<string, string> {
  return {
    PUBLIC_BASE_URL: publicBaseUrl,
    SES_CONFIGURATION_SET: configurationSetName,
    RETENTION_DAYS: String(config.retentionDays),
    CLINIC_NAME: config.clinic.name,
    CLINIC_POSTAL_ADDRESS: config.clinic.postalAddress.join('|'),
    CLINIC_PHONE: config.clinic.phone,
    CLINIC_WEBSITE: config.clinic.website,
    BOOKING_URL: config.clinic.bookingUrl,
    COST_URL: config.clinic.costUrl,
    DEFAULT_TIME_ZONE: config.clinic.defaultTimeZone,
    FROM_ADDRESS: config.email.fromAddress,
    REPLY_TO_ADDRESS: config.email.replyTo,
    ...(config.sendWindow && { SEND_WINDOW_START: config.sendWindow.start, SEND_WINDOW_END: config.sendWindow.end }),
    ...(config.consentTextVersion && { CONSENT_TEXT_VERSION: config.consentTextVersion }),
    DOUBLE_OPT_IN: String(config.doubleOptIn),
    HOLDOUT_SHARE: String(config.holdoutShare),
    POWERTOOLS_SERVICE_NAME: serviceName,
  };
}

/** How the dispatcher splits a run across workers (lambdas/domain/fan-out.ts), when the stage says. */
function fanOutEnvironment(config: StageConfig): Record<string, string> {
  return {
    ...(config.dispatchWorkers !== undefined && { DISPATCH_MAX_WORKERS: String(config.dispatchWorkers) }),
    ...(config.dispatchWorkerRate !== undefined && { DISPATCH_WORKER_RATE: String(config.dispatchWorkerRate) }),
  };
}

/**
 * Why a function may go without reserved concurrency in this stage: the stage's `reservedConcurrency` leaves it out
 * (an account with a small Lambda quota can reserve nothing: Lambda keeps 100 unreserved), and what caps it instead.
 */
function whyUnreserved(spec: HandlerSpec): string {
  const caps = [
    spec.routes &&
      "API Gateway's stage throttling (throttle.rateLimit and burstLimit in cdk.json) caps the requests that reach it",
    spec.schedule &&
      `its schedule starts it every ${spec.schedule.unreservedEveryMinutes} minutes, longer than its timeout, so one run ends before the next begins`,
    spec.sesEvents && 'its events are the SES events of emails the stage sends, which maxSendRate paces',
  ].filter(Boolean);
  return `The stage's reservedConcurrency leaves the ${spec.handler} handler out, so it shares the account's unreserved pool (an account with a small Lambda quota cannot reserve any: Lambda keeps 100 unreserved). Instead, ${caps.join('; ')}.`;
}

/** `ses-events` → `SesEvents`: construct ids (and so logical ids) from handler file names. */
function constructId(handler: string): string {
  return handler.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
