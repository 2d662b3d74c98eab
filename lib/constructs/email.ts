/**
 * SES for one stage: the clinic's domain as an identity with Easy DKIM (or one verified elsewhere), a configuration
 * set that publishes every sending event to the default event bus, and the rule that puts those events in a queue.
 */
import { Duration } from 'aws-cdk-lib';
import { CfnRule, EventBus, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy, bindBaseTargetConfig } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SES_EVENT_TYPES } from '../../lambdas/contract.ts';
import type { StageConfig } from '../config.ts';

export interface EmailProps {
  /** The stage's sender: `senderDomain` becomes the identity unless `existingIdentity` says it is verified elsewhere. */
  email: StageConfig['email'];
}

export class Email extends Construct {
  /** Every email is sent through it; its events carry its name in the `ses:configuration-set` tag. */
  readonly configurationSet: ConfigurationSet;
  /** An `EmailIdentity` (with the DKIM records to publish) unless the stage uses an existing identity. */
  readonly identity: IEmailIdentity;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    const { email } = props;

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
    this.identity = email.existingIdentity
      ? EmailIdentity.fromEmailIdentityName(this, 'Identity', email.senderDomain)
      : new EmailIdentity(this, 'Identity', {
          identity: Identity.domain(email.senderDomain),
          dkimSigning: true,
          dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
          configurationSet: this.configurationSet,
          ...(email.mailFromDomain && { mailFromDomain: email.mailFromDomain }),
        });
  }

  /**
   * Put this configuration set's SES events (the types in `SES_EVENT_TYPES`) in `queue`, for `handler` to take in
   * batches. EventBridge retries a failed delivery for a day, then puts the event in `deadLetterQueue`. `id` is the
   * rule's construct id (kept from when the rule invoked the function, so the deployed rule is updated, not replaced).
   */
  sendEventsTo(id: string, handler: string, queue: IQueue, deadLetterQueue: IQueue): Rule {
    const rule = new Rule(this, id, {
      description: `SES events of this stack's configuration set to the ${handler} handler's queue`,
      eventPattern: {
        source: ['aws.ses'],
        detail: {
          eventType: [...SES_EVENT_TYPES],
          mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
        },
      },
    });
    rule.addTarget(queueTarget(queue, deadLetterQueue));
    return rule;
  }
}

/**
 * An encrypted queue as the rule's target, sent to by this rule only. (aws-events-targets' `SqsQueue` grants any rule
 * of the account when the queue has a KMS key, and adds a key grant the key's policy already holds:
 * `lib/constructs/data.ts` lets EventBridge encrypt with it.)
 */
function queueTarget(queue: IQueue, deadLetterQueue: IQueue): IRuleTarget {
  return {
    bind(rule) {
      queue.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:SourceArn': CfnRule.arnForRule(rule) } },
        }),
      );
      addToDeadLetterQueueResourcePolicy(rule, deadLetterQueue);
      return {
        ...bindBaseTargetConfig({ deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) }),
        arn: queue.queueArn,
        targetResource: queue,
      };
    },
  };
}
