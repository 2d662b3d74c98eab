/**
 * What holds state: the customer-managed KMS key, the leads table with its due index, and the two HMAC secrets.
 * Everything here is kept when a production stack is deleted, and none of it may ever be replaced by a deploy.
 */
import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DUE_INDEX, DUE_INDEX_PROJECTION } from '../../lambdas/contract.ts';
import type { SecretName } from '../handlers.ts';

export interface DataProps {
  /** Production: deletion protection on the table, and a 30-day (not 7-day) waiting period before the key is deleted. */
  production: boolean;
  /** RETAIN in production: the table, key and secrets outlive the stack. */
  removalPolicy: RemovalPolicy;
}

export class Data extends Construct {
  /** Encrypts the table, the secrets, every log group, the dead-letter queue and the alarm topic. */
  readonly key: Key;
  readonly table: Table;
  /** The secrets a handler may ask for by name in `lib/handlers.ts`. */
  readonly secrets: Record<SecretName, Secret>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const { production, removalPolicy } = props;
    const stack = Stack.of(this);

    // One customer-managed key for everything that holds personal data or events about it.
    this.key = new Key(this, 'DataKey', {
      description: `${stack.stackName}: leads table, secrets, logs, dead letters and alarm topic`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(production ? 30 : 7),
    });
    this.allowServiceToUseKey(
      `logs.${stack.region}.amazonaws.com`,
      ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    );
    // EventBridge puts undeliverable events into the encrypted dead-letter queue, and CloudWatch alarms publish to
    // the encrypted topic. What they may write to is decided by the queue's and the topic's own policies (the topic
    // takes only this account's alarms: lib/monitoring.ts). CloudWatch's statement is the one AWS documents for an
    // alarm topic under a customer-managed key: https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns
    this.allowServiceToUseKey('events.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey']);
    this.allowServiceToUseKey('cloudwatch.amazonaws.com', ['kms:Decrypt', 'kms:GenerateDataKey*']);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: production,
      removalPolicy,
    });
    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery keeps 35 days of continuous backups. An AWS Backup plan would keep copies of leads after TTL deletes them at the end of the retention period, which the privacy promise (expire personal data after RETENTION_DAYS) rules out.',
    });
    // Sparse and sharded: only leads with a step due carry dueShard/dueAt. It carries what a send reads.
    this.table.addGlobalSecondaryIndex({
      indexName: DUE_INDEX,
      partitionKey: { name: 'dueShard', type: AttributeType.NUMBER },
      sortKey: { name: 'dueAt', type: AttributeType.NUMBER },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...DUE_INDEX_PROJECTION],
    });

    this.secrets = {
      unsubscribe: this.secret(
        'UnsubscribeKey',
        'HMAC key that signs unsubscribe links',
        'Not rotated automatically: it signs the unsubscribe link in every email already sent, and those links must keep working (CAN-SPAM, RFC 8058). A new key would silently break them; rotating it needs a verifier that accepts old keys, which is not built.',
        removalPolicy,
      ),
      booking: this.secret(
        'BookingWebhookKey',
        'HMAC key the booking system signs webhook calls with',
        "Not rotated automatically: the clinic's booking system holds a copy, and a rotation it does not know about would refuse every booking. Ops rotate it by hand together with the booking system (docs/operations.md).",
        removalPolicy,
      ),
    };
  }

  /** A 64-character secret encrypted with the key; `whyNotRotated` acknowledges both packs' rotation rules. */
  private secret(id: string, description: string, whyNotRotated: string, removalPolicy: RemovalPolicy): Secret {
    const created = new Secret(this, id, {
      description: `${Stack.of(this).stackName}: ${description}`,
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    for (const rule of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled'])
      Validations.of(created).acknowledge({ id: rule, reason: whyNotRotated });
    return created;
  }

  private allowServiceToUseKey(service: string, actions: string[], conditions?: Record<string, unknown>): void {
    this.key.addToResourcePolicy(
      new PolicyStatement({ principals: [new ServicePrincipal(service)], actions, resources: ['*'], conditions }),
    );
  }
}
