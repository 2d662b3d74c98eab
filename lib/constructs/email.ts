/**
 * SES for one stage: the clinic's domain as an identity with Easy DKIM (or one verified elsewhere), a configuration
 * set that publishes every sending event to the default event bus, and the rule that hands those events to a handler.
 */
import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
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
   * Send this configuration set's SES events (the types in `SES_EVENT_TYPES`) to `fn`. EventBridge retries for a day
   * (events are idempotent per event id), then puts the event in `deadLetterQueue`.
   */
  sendEventsTo(handler: string, fn: IFunction, deadLetterQueue: IQueue): Rule {
    return new Rule(this, `${fn.node.id}Rule`, {
      description: `SES events of this stack's configuration set to the ${handler} handler`,
      eventPattern: {
        source: ['aws.ses'],
        detail: {
          eventType: [...SES_EVENT_TYPES],
          mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } },
        },
      },
      targets: [new LambdaFunction(fn, { deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });
  }
}
