/**
 * The whole service for one stage, as a table of contents: the data (key, table, secrets), SES sending, the HTTP API,
 * the report's sign-in (a Cognito user pool), one Lambda per handler of `lib/handlers.ts` with its triggers, the alarms, and the outputs ops need after a deploy.
 */
import { type CfnElement, CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { DomainName, HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { type ConfigurationSet, EmailIdentity, type IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ROUTES, signupForm } from '../lambdas/contract.ts';
import { configuredPublicBaseUrl, type StageConfig } from './config.ts';
import { Api } from './constructs/api.ts';
import { Data } from './constructs/data.ts';
import { Email } from './constructs/email.ts';
import { Functions, type SesEventQueues } from './constructs/functions.ts';
import { ReportSignIn } from './constructs/report-sign-in.ts';
import { HANDLERS, type HandlerSpec } from './handlers.ts';
import { Monitoring } from './monitoring.ts';
import type { NurtureFunction } from './nurture-function.ts';

export interface NurtureStackProps extends StackProps {
  config: StageConfig;
  /** Defaults to every entry of `lib/handlers.ts` whose file exists. */
  handlers?: HandlerSpec[];
}

/**
 * Constructs whose resources were the stack's own children before the stack was split into them. Their ids are left
 * out of logical ids (`allocateLogicalId`), so those stay what deployed stacks know them by.
 */
const SECTIONS = new Set(['Data', 'Email', 'Api', 'Functions']);

export class NurtureStack extends Stack {
  // The sections' main resources, for the infra tests and the outputs.
  readonly table: Table;
  readonly key: Key;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  /** The API's custom domain, when the stage has one. */
  readonly apiDomainName?: DomainName;
  readonly functions: Record<string, NurtureFunction>;
  readonly deadLetterQueue: Queue;
  /** The SES events' queue and its dead-letter queue (absent from a stack built without the SES-events handler). */
  readonly sesEvents?: SesEventQueues;
  readonly configurationSet: ConfigurationSet;
  readonly identity: IEmailIdentity;
  readonly monitoring: Monitoring;
  /** The report's sign-in: user pool, app client, managed login domain and JWT authorizer. */
  readonly reportSignIn: ReportSignIn;

  constructor(scope: Construct, id: string, props: NurtureStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const data = new Data(this, 'Data', { production: config.production, removalPolicy });
    const email = new Email(this, 'Email', { email: config.email });
    const api = new Api(this, 'Api', {
      allowedOrigins: config.allowedOrigins,
      throttle: config.throttle,
      key: data.key,
      logRetention: config.logRetentionDays,
      removalPolicy,
      customDomain: config.customDomain,
    });
    const publicBaseUrl = configuredPublicBaseUrl(config) ?? api.url;
    const signIn = new ReportSignIn(this, 'ReportSignIn', {
      pageUrl: `${publicBaseUrl}${ROUTES.admin}`,
      settings: config.reportSignIn,
      production: config.production,
      removalPolicy,
    });
    const functions = new Functions(this, 'Functions', {
      handlers: props.handlers ?? HANDLERS,
      config,
      publicBaseUrl,
      data,
      email,
      api,
      signIn,
      removalPolicy,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      serviceName: this.stackName,
      key: data.key,
      functions: functions.functions,
      dispatcher: functions.dispatcher,
      deadLetterQueue: functions.deadLetterQueue,
      ...(functions.sesEvents && { sesEvents: functions.sesEvents }),
      apiStage: api.stage,
      alarmEmails: config.alarmEmails,
    });

    this.key = data.key;
    this.table = data.table;
    this.configurationSet = email.configurationSet;
    this.identity = email.identity;
    this.api = api.httpApi;
    this.apiStage = api.stage;
    this.apiDomainName = api.domainName;
    this.functions = functions.functions;
    this.deadLetterQueue = functions.deadLetterQueue;
    this.sesEvents = functions.sesEvents;
    this.reportSignIn = signIn;
    this.outputs(publicBaseUrl, config, data.secrets);
  }

  /**
   * CDK's own logical ids, computed as if a section's id (`SECTIONS`) were not in the path: `Data/Table` is still
   * `TableCD117FA1`. A new logical id is a new resource to CloudFormation, and replacing the table, the key or a
   * secret would lose data; test/infra/logical-ids.test.ts pins them, so a CDK upgrade that changes how this works
   * fails there. Two sections' children with the same id would get the same logical id, and the synth fails naming it.
   */
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const section = scopes[scopes.indexOf(this) + 1];
    if (!section || section === element || !SECTIONS.has(section.node.id)) return super.allocateLogicalId(element);
    return super.allocateLogicalId({
      node: { scopes: scopes.filter((scope) => scope !== section) },
      stack: this,
    } as unknown as CfnElement);
  }

  private outputs(publicBaseUrl: string, config: StageConfig, secrets: Data['secrets']): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('ApiUrl', publicBaseUrl, 'Base URL of the API (and of the links in every email)');
    if (this.apiDomainName && config.customDomain && !config.customDomain.hostedZone)
      output(
        'ApiDomainTarget',
        this.apiDomainName.regionalDomainName,
        `Point ${config.customDomain.domainName} here: a CNAME record (or an alias to this name) at the domain's DNS host`,
      );
    output('SignupUrl', `${publicBaseUrl}${ROUTES.signup}`, "POST the clinic's sign-up form here");
    output(
      'SignupFormSnippet',
      signupForm({
        action: `${publicBaseUrl}${ROUTES.signup}`,
        clinicName: config.clinic.name,
        consentVersion: config.consentTextVersion,
      }),
      "A plain HTML form for the clinic's site",
    );
    output(
      'TableName',
      this.table.tableName,
      'DynamoDB table: npm run report -- --table <TableName> --region <Region>',
    );
    output('Region', this.region, 'Region of the stack');
    output(
      'BookingWebhookSecretArn',
      secrets.booking.secretArn,
      'Secret the booking system signs POST /booking with (aws secretsmanager get-secret-value)',
    );
    output(
      'UnsubscribeSecretArn',
      secrets.unsubscribe.secretArn,
      "Secret that signs unsubscribe links and keys erased addresses' hashes: npm run privacy -- ... --secret-arn <this>",
    );
    output(
      'ConfigurationSetName',
      this.configurationSet.configurationSetName,
      'SES configuration set every email is sent through',
    );
    output(
      'AlarmTopicArn',
      this.monitoring.topic.topicArn,
      'SNS topic every alarm notifies; subscribe more endpoints here',
    );
    output(
      'ReportUrl',
      `${publicBaseUrl}${ROUTES.admin}`,
      'The report for marketing: sign in with a user of ReportUserPoolId (npm run admin-user -- add <email> --stage <stage>)',
    );
    output(
      'ReportUserPoolId',
      this.reportSignIn.userPool.userPoolId,
      "The report's Cognito user pool (npm run admin-user reads it)",
    );
    output('ReportSignInUrl', this.reportSignIn.signInUrl, "The report's managed login domain");
    output('DeadLetterQueueUrl', this.deadLetterQueue.queueUrl, 'Failed invocations and undeliverable events');
    if (this.sesEvents)
      output(
        'SesEventDeadLetterQueueUrl',
        this.sesEvents.deadLetterQueue.queueUrl,
        'SES events the handler failed on 5 times: redrive them to their queue once the cause is fixed',
      );
    output(
      'DashboardUrl',
      `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.stackName}`,
      'CloudWatch dashboard',
    );
    if (this.identity instanceof EmailIdentity) {
      this.identity.dkimRecords.forEach((record, i) =>
        output(
          `DkimRecord${i + 1}`,
          `${record.name} CNAME ${record.value}`,
          'Easy DKIM: add this CNAME record to the domain',
        ),
      );
    }
  }
}
