/**
 * Alarms and a dashboard for one stage. Every alarm notifies the stage's KMS-encrypted SNS topic; addresses in
 * `alarmEmails` are subscribed to it, and anything else (Chatbot, a pager) can subscribe later. The topic's policy
 * lets CloudWatch publish for this account's alarms, and the key's policy lets CloudWatch encrypt for the topic
 * (`lib/constructs/data.ts`): without both, an alarm changes state and nobody hears of it.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DISPATCH_METRICS, SEND_QUOTA_METRICS } from '../lambdas/contract.ts';
import type { NurtureFunction } from './nurture-function.ts';

/** SES reviews an account at a 5% bounce rate and a 0.1% complaint rate; these warn first. */
export const BOUNCE_RATE_ALARM = 0.04;
export const COMPLAINT_RATE_ALARM = 0.0008;
/** Share of SES's 24-hour sending quota used, in percent. */
export const SEND_QUOTA_ALARM_PERCENT = 80;
/** The dispatcher runs every 1 or 2 minutes: this long without a completed run means it is not running. */
export const HEARTBEAT_PERIOD = Duration.minutes(5);
/** Leads due and nothing sent in each of this many consecutive 5-minute periods: sending has stopped. */
export const STALLED_PERIODS = 3;
/**
 * The oldest SES event waiting this long in its queue: the handler is not taking them (normally seconds; an event it
 * fails on is tried 5 times, a few minutes apart, before it moves to the dead-letter queue).
 */
export const SES_EVENTS_BACKLOG = Duration.minutes(30);

export interface MonitoringProps {
  /** The stack name: the dashboard's name and the quota metrics' `service` dimension. */
  serviceName: string;
  key: IKey;
  functions: Record<string, NurtureFunction>;
  dispatcher: NurtureFunction;
  deadLetterQueue: IQueue;
  /** The SES events' queue and its dead-letter queue, when the stack has the SES-events handler. */
  sesEvents?: { queue: IQueue; deadLetterQueue: IQueue };
  apiStage: IHttpStage;
  alarmEmails: string[];
}

/** How an alarm compares, and what a period without data counts as. Default: at or above, and not breaching. */
interface AlarmOptions {
  comparison?: ComparisonOperator;
  missing?: TreatMissingData;
  evaluationPeriods?: number;
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `${props.serviceName} alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const address of props.alarmEmails) this.topic.addSubscription(new EmailSubscription(address));
    // CloudWatch publishes the alarms' notifications as itself; only for alarms in this account.
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );

    const ses = (metricName: string, statistic: string, period: Duration) =>
      new Metric({ namespace: 'AWS/SES', metricName, statistic, period });
    // Account-level reputation: what SES reviews. The configuration set's reputation metrics feed it.
    const bounceRate = ses('Reputation.BounceRate', 'Maximum', Duration.hours(1));
    const complaintRate = ses('Reputation.ComplaintRate', 'Maximum', Duration.hours(1));
    const sendsPerHour = ses('Send', 'Sum', Duration.hours(1));
    const quota = (metricName: string) =>
      new Metric({
        namespace: SEND_QUOTA_METRICS.namespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    const quotaUsed = new MathExpression({
      expression: '100 * sent / quota',
      usingMetrics: { sent: quota(SEND_QUOTA_METRICS.sentLast24Hours), quota: quota(SEND_QUOTA_METRICS.max24HourSend) },
      label: '% of the 24-hour sending quota',
      period: Duration.hours(1),
    });
    const deadLetters = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(5),
    });

    this.alarm(
      'BounceRate',
      bounceRate,
      BOUNCE_RATE_ALARM,
      `SES bounce rate at or above ${BOUNCE_RATE_ALARM * 100}% (SES reviews the account at 5%)`,
    );
    this.alarm(
      'ComplaintRate',
      complaintRate,
      COMPLAINT_RATE_ALARM,
      `SES complaint rate at or above ${COMPLAINT_RATE_ALARM * 100}% (SES reviews the account at 0.1%)`,
    );
    this.alarm(
      'SendQuota',
      quotaUsed,
      SEND_QUOTA_ALARM_PERCENT,
      `${SEND_QUOTA_ALARM_PERCENT}% of SES's 24-hour sending quota used: ask AWS for a higher quota`,
    );
    this.alarm(
      'DeadLetters',
      deadLetters,
      1,
      'Failed invocations or undeliverable events are waiting in the dead-letter queue',
    );

    const sesEventQueues = props.sesEvents && {
      deadLetters: props.sesEvents.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      oldest: props.sesEvents.queue.metricApproximateAgeOfOldestMessage({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
    };
    if (sesEventQueues) {
      this.alarm(
        'SesEventDeadLetters',
        sesEventQueues.deadLetters,
        1,
        'SES events the ses-events handler failed on 5 times wait in their dead-letter queue (14 days): fix the cause, then redrive them (docs/operations.md)',
      );
      this.alarm(
        'SesEventBacklog',
        sesEventQueues.oldest,
        SES_EVENTS_BACKLOG.toSeconds(),
        `An SES event has waited ${SES_EVENTS_BACKLOG.toMinutes()} minutes in its queue: the ses-events handler is not taking them (bounces are not stopping leads meanwhile)`,
      );
    }

    // What the dispatcher publishes after each run (lambdas/contract.ts), per stage by the `service` dimension.
    const dispatch = (metricName: string, period = Duration.minutes(5)) =>
      new Metric({
        namespace: DISPATCH_METRICS.namespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        statistic: 'Sum',
        period,
      });
    this.alarm(
      'DispatcherHeartbeat',
      dispatch(DISPATCH_METRICS.runs, HEARTBEAT_PERIOD),
      1,
      `No dispatcher run completed in ${HEARTBEAT_PERIOD.toMinutes()} minutes: scheduled emails are not going out`,
      { comparison: ComparisonOperator.LESS_THAN_THRESHOLD, missing: TreatMissingData.BREACHING },
    );
    const stalled = new MathExpression({
      // FILL: a period in which runs published no Sent at all counts as zero sent.
      expression: 'IF(FILL(due, 0) > 0 AND FILL(sent, 0) == 0, 1, 0)',
      usingMetrics: { due: dispatch(DISPATCH_METRICS.due), sent: dispatch(DISPATCH_METRICS.sent) },
      label: 'leads due and none sent',
      period: Duration.minutes(5),
    });
    this.alarm(
      'NothingSent',
      stalled,
      1,
      `Leads were due and the dispatcher sent none for ${STALLED_PERIODS * 5} minutes`,
      { evaluationPeriods: STALLED_PERIODS },
    );
    this.alarm(
      'SendsRejected',
      dispatch(DISPATCH_METRICS.rejected),
      1,
      'SES rejected a send for good: that lead was marked and gets no more emails from its sequence',
    );
    this.alarm(
      'SendsUnconfirmed',
      dispatch(DISPATCH_METRICS.unconfirmed),
      1,
      'A send went to SES and its answer was lost: the lead may or may not have the email, and it is not resent',
    );
    this.alarm(
      'AccountPaused',
      dispatch(DISPATCH_METRICS.accountPaused),
      1,
      'SES refused a send for the whole account or identity (sandbox, unverified sender, sending paused): nothing is sent until it is fixed',
    );
    this.alarm(
      'Api5xx',
      props.apiStage.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
      1,
      'The HTTP API answered with a server error: a sign-up, unsubscribe or booking may have failed',
    );

    for (const [name, fn] of Object.entries(props.functions)) {
      const description =
        fn === props.dispatcher
          ? 'The dispatcher failed: due emails wait until it runs cleanly'
          : `The ${name} handler failed`;
      this.alarm(`${name}Errors`, fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }), 1, description);
    }

    const api = (metricName: string, statistic = 'Sum') =>
      props.apiStage.metric(metricName, { statistic, period: Duration.minutes(5) });
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.serviceName });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${props.serviceName}\nAlarms go to the SNS topic \`${props.serviceName} alarms\`. Leads and funnel: \`npm run report\`.`,
        width: 24,
        height: 2,
      }),
      new GraphWidget({
        title: 'SES reputation (account)',
        left: [bounceRate, complaintRate],
        leftAnnotations: [
          { value: BOUNCE_RATE_ALARM, label: 'bounce alarm' },
          { value: COMPLAINT_RATE_ALARM, label: 'complaint alarm' },
        ] satisfies HorizontalAnnotation[],
        width: 8,
      }),
      new GraphWidget({
        title: 'Emails sent per hour (SES, account)',
        left: [sendsPerHour],
        right: [quotaUsed],
        width: 8,
      }),
      new SingleValueWidget({
        title: 'Dead-letter queues',
        metrics: [deadLetters, ...(sesEventQueues ? [sesEventQueues.deadLetters] : [])],
        width: 8,
      }),
      new GraphWidget({ title: 'API requests and errors', left: [api('Count'), api('4xx'), api('5xx')], width: 8 }),
      new GraphWidget({
        title: 'API latency p99 (ms)',
        left: [api('Latency', 'p99'), api('IntegrationLatency', 'p99')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Lambda errors',
        left: Object.entries(props.functions).map(([name, fn]) =>
          fn.metricErrors({ label: name, period: Duration.minutes(5) }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: 'Dispatcher runs and outcomes (per 5 minutes)',
        left: [
          dispatch(DISPATCH_METRICS.due),
          dispatch(DISPATCH_METRICS.sent),
          dispatch(DISPATCH_METRICS.retried),
          dispatch(DISPATCH_METRICS.rejected),
          dispatch(DISPATCH_METRICS.unconfirmed),
          dispatch(DISPATCH_METRICS.accountPaused),
        ],
        right: [dispatch(DISPATCH_METRICS.runs)],
        width: 12,
      }),
      new GraphWidget({
        title: 'Dispatcher duration (ms) and throttles',
        left: [props.dispatcher.metricDuration({ statistic: 'Maximum', period: Duration.minutes(5) })],
        right: [props.dispatcher.metricThrottles({ period: Duration.minutes(5) })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda concurrency',
        left: Object.entries(props.functions).map(([name, fn]) =>
          fn.metric('ConcurrentExecutions', { label: name, statistic: 'Maximum', period: Duration.minutes(5) }),
        ),
        width: 24,
      }),
    );
  }

  private alarm(
    id: string,
    metric: Metric | MathExpression,
    threshold: number,
    description: string,
    options: AlarmOptions = {},
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
