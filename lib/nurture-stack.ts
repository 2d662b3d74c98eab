/**
 * The whole service for one stage: the table, the Lambdas (one per handler), the HTTP API, the dispatcher's
 * schedule, SES sending and its events, the secrets, and the alarms. Handlers come from `lib/handlers.ts`.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, LogGroupLogDestination, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
  type IEmailIdentity,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DUE_INDEX } from '../lambdas/adapters/dynamo-lead-store.ts';
import { SES_EVENT_TYPES } from '../lambdas/domain/ses-event.ts';
import { signupForm } from '../lambdas/signup-form.ts';
import type { StageConfig } from './config.ts';
import { HANDLERS, type HandlerSpec } from './handlers.ts';
import { Monitoring } from './monitoring.ts';
import { NurtureFunction } from './nurture-function.ts';

export interface NurtureStackProps extends StackProps {
  config: StageConfig;
  /** Defaults to every entry of `lib/handlers.ts` whose file exists. */
  handlers?: HandlerSpec[];
}

export class NurtureStack extends Stack {
  readonly table: Table;
  readonly key: Key;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: Record<string, NurtureFunction> = {};
  readonly deadLetterQueue: Queue;
  readonly configurationSet: ConfigurationSet;
  readonly identity: IEmailIdentity;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: NurtureStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // One customer-managed key for everything that holds personal data or events about it.
    this.key = new Key(this, 'DataKey', {
      description: `${this.stackName}: leads table, secrets, logs, dead letters and alarm topic`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(config.production ? 30 : 7),
    });
    this.allowServiceToUseKey(`logs.${this.region}.amazonaws.com`, ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'], {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    });
    // EventBridge puts undeliverable events into the encrypted dead-letter queue, and CloudWatch alarms publish to
    // the encrypted topic. What they may write to is decided by the queue's and the topic's own policies.
    this.allowServiceToUseKey('events.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey']);
    this.allowServiceToUseKey('cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey']);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: config.production,
      removalPolicy,
    });
    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery keeps 35 days of continuous backups. An AWS Backup plan would keep copies of leads after TTL deletes them at the end of the retention period, which the privacy promise (expire personal data after RETENTION_DAYS) rules out.',
    });
    // Sparse and sharded: only leads with a step due carry dueShard/dueAt.
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX,
      partitionKey: { name: 'dueShard', type: AttributeType.NUMBER },
      sortKey: { name: 'dueAt', type: AttributeType.NUMBER },
      projectionType: ProjectionType.KEYS_ONLY,
    });

    const secret = (id: string, description: string, whyNotRotated: string) => {
      const created = new Secret(this, id, {
        description: `${this.stackName}: ${description}`,
        encryptionKey: this.key,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        removalPolicy,
      });
      for (const rule of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled']) Validations.of(created).acknowledge({ id: rule, reason: whyNotRotated });
      return created;
    };
    const unsubscribeSecret = secret(
      'UnsubscribeKey',
      'HMAC key that signs unsubscribe links',
      'Not rotated automatically: it signs the unsubscribe link in every email already sent, and those links must keep working (CAN-SPAM, RFC 8058). A new key would silently break them; rotating it needs a verifier that accepts old keys, which is not built.',
    );
    const bookingSecret = secret(
      'BookingWebhookKey',
      'HMAC key the booking system signs webhook calls with',
      "Not rotated automatically: the clinic's booking system holds a copy, and a rotation it does not know about would refuse every booking. Ops rotate it by hand together with the booking system (README, Deploy).",
    );

    // SES: the clinic's domain with Easy DKIM (or an identity verified elsewhere), and a configuration set whose
    // events go to the default event bus.
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Publishing Open and Click events is what turns on SES's open pixel and link tracking for the set.
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: Object.values(EmailSendingEvent),
    });
    this.identity = config.email.existingIdentity
      ? EmailIdentity.fromEmailIdentityName(this, 'Identity', config.email.senderDomain)
      : new EmailIdentity(this, 'Identity', {
          identity: Identity.domain(config.email.senderDomain),
          dkimSigning: true,
          dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
          configurationSet: this.configurationSet,
          ...(config.email.mailFromDomain && { mailFromDomain: config.email.mailFromDomain }),
        });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: config.logRetentionDays, encryptionKey: this.key, removalPolicy });
    this.api = new HttpApi(this, 'Api', {
      description: `${this.stackName}: sign-up, unsubscribe, booking webhook and reports`,
      createDefaultStage: false,
      // Only the sign-up form is called from other sites' pages; the rest are links, servers and operators.
      corsPreflight: {
        allowOrigins: config.allowedOrigins,
        allowMethods: [CorsHttpMethod.POST],
        allowHeaders: ['content-type'],
        maxAge: Duration.hours(1),
      },
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Ids, routes and outcomes only: no source IP, user agent or query string (an unsubscribe token).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            route: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            caller: '$context.identity.userArn',
          }),
        ),
      },
    });
    const publicBaseUrl = config.publicBaseUrl ?? this.api.apiEndpoint;

    const environment: Record<string, string> = {
      PUBLIC_BASE_URL: publicBaseUrl,
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
      RETENTION_DAYS: String(config.retentionDays),
      CLINIC_NAME: config.clinic.name,
      CLINIC_POSTAL_ADDRESS: config.clinic.postalAddress.join('|'),
      CLINIC_PHONE: config.clinic.phone,
      CLINIC_WEBSITE: config.clinic.website,
      BOOKING_URL: config.clinic.bookingUrl,
      DEFAULT_TIME_ZONE: config.clinic.defaultTimeZone,
      FROM_ADDRESS: config.email.fromAddress,
      REPLY_TO_ADDRESS: config.email.replyTo,
      ...(config.sendWindow && { SEND_WINDOW_START: config.sendWindow.start, SEND_WINDOW_END: config.sendWindow.end }),
      ...(config.consentTextVersion && { CONSENT_TEXT_VERSION: config.consentTextVersion }),
      POWERTOOLS_SERVICE_NAME: this.stackName,
    };

    const iamAuthorizer = new HttpIamAuthorizer();
    for (const spec of props.handlers ?? HANDLERS) {
      const id = constructId(spec.handler);
      const fn = new NurtureFunction(this, id, {
        handler: spec.handler,
        key: this.key,
        deadLetterQueue: this.deadLetterQueue,
        reservedConcurrency: spec.reservedConcurrency,
        logRetention: config.logRetentionDays,
        removalPolicy,
        environment,
        memorySize: spec.memorySize,
        timeout: spec.timeout,
        retryAttempts: spec.retryAttempts,
        maxEventAge: spec.maxEventAge,
      });
      this.functions[spec.handler] = fn;
      fn.bindTable(this.table, spec.table);
      if (spec.secrets.includes('unsubscribe')) fn.bindSecret('UNSUBSCRIBE_SECRET_ARN', unsubscribeSecret);
      if (spec.secrets.includes('booking')) fn.bindSecret('BOOKING_SECRET_ARN', bookingSecret);
      if (spec.sends) fn.allowSesSending(this.identity.emailIdentityArn, this.configurationSet.configurationSetName);
      if (spec.readsSendQuota) fn.allowReadSendQuota();

      for (const route of spec.routes ?? []) {
        const [created] = this.api.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration: new HttpLambdaIntegration(`${id}${route.method}${route.path.replace(/\W/g, '')}`, fn),
          ...(route.auth === 'iam' && { authorizer: iamAuthorizer }),
        });
        if (route.auth !== 'iam') Validations.of(created!).acknowledge({ id: 'AwsSolutions-APIG4', reason: route.auth.public });
      }
      if (spec.everyMinutes) {
        new Rule(this, `${id}Schedule`, {
          description: `Runs the ${spec.handler} handler every ${spec.everyMinutes} minute(s)`,
          schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
          targets: [new LambdaFunction(fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 0 })],
        });
      }
      if (spec.sesEvents) {
        new Rule(this, `${id}Rule`, {
          description: `SES events of this stack's configuration set to the ${spec.handler} handler`,
          eventPattern: {
            source: ['aws.ses'],
            detail: {
              eventType: [...SES_EVENT_TYPES],
              mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
            },
          },
          targets: [new LambdaFunction(fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
        });
      }
    }

    const dispatcher = this.functions.dispatch;
    if (!dispatcher) throw new Error('lib/handlers.ts must include the dispatch handler');
    this.monitoring = new Monitoring(this, 'Monitoring', {
      serviceName: this.stackName,
      key: this.key,
      functions: this.functions,
      dispatcher,
      deadLetterQueue: this.deadLetterQueue,
      apiStage: this.apiStage,
      alarmEmails: config.alarmEmails,
    });

    this.outputs(publicBaseUrl, config, bookingSecret);
  }

  private allowServiceToUseKey(service: string, actions: string[], conditions?: Record<string, unknown>): void {
    this.key.addToResourcePolicy(new PolicyStatement({ principals: [new ServicePrincipal(service)], actions, resources: ['*'], conditions }));
  }

  private outputs(publicBaseUrl: string, config: StageConfig, bookingSecret: Secret): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', publicBaseUrl, 'Base URL of the API (and of the links in every email)');
    output('SignupUrl', `${publicBaseUrl}/signup`, "POST the clinic's sign-up form here");
    output('SignupFormSnippet', signupForm({ action: `${publicBaseUrl}/signup`, clinicName: config.clinic.name, consentVersion: config.consentTextVersion }), "A plain HTML form for the clinic's site");
    output('TableName', this.table.tableName, 'DynamoDB table: npm run report -- --table <TableName> --region <Region>');
    output('Region', this.region, 'Region of the stack');
    output('BookingWebhookSecretArn', bookingSecret.secretArn, 'Secret the booking system signs POST /booking with (aws secretsmanager get-secret-value)');
    output('ConfigurationSetName', this.configurationSet.configurationSetName, 'SES configuration set every email is sent through');
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'SNS topic every alarm notifies; subscribe more endpoints here');
    output('DeadLetterQueueUrl', this.deadLetterQueue.queueUrl, 'Failed invocations and undeliverable events');
    output('DashboardUrl', `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.stackName}`, 'CloudWatch dashboard');
    if (this.identity instanceof EmailIdentity) {
      this.identity.dkimRecords.forEach((record, i) => output(`DkimRecord${i + 1}`, `${record.name} CNAME ${record.value}`, 'Easy DKIM: add this CNAME record to the domain'));
    }
  }
}

/** `ses-events` → `SesEvents`: construct ids (and so logical ids) from handler file names. */
function constructId(handler: string): string {
  return handler.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
}
