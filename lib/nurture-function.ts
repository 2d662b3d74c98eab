/**
 * The team's Lambda defaults in one construct: a NodejsFunction bundled by esbuild (never Docker) on the latest
 * Node.js runtime CDK offers, ARM64, reserved concurrency (when the stage reserves some), a dead-letter queue, its
 * own KMS-encrypted log group with retention, source maps, and a role that holds only what the `bind*` helpers grant.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
  type AddToPrincipalPolicyResult,
  type RoleProps,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DUE_INDEX } from '../lambdas/contract.ts';

/** The newest Node.js runtime in aws-cdk-lib (NODEJS_LATEST lags behind it on purpose). */
const NODE_RUNTIME = Runtime.NODEJS_24_X;

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** The handler's source file: `lambdas/handlers/<handler>.ts`. */
function handlerEntry(handler: string): string {
  return path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${handler}.ts`);
}

/** ESM handlers import CommonJS packages (nodemailer, react-dom) that call `require`; give them one. */
export const REQUIRE_BANNER =
  "import { createRequire as __nurtureRequire } from 'node:module'; const require = __nurtureRequire(import.meta.url);";

/**
 * Imports swapped for a local file in every bundle (esbuild's `alias`; paths from the project root). prettier (about
 * 254 KB bundled) is imported by @react-email/render for its `pretty` option alone, which we never use: the stub
 * throws if it is ever called.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'prettier/standalone': './lib/stubs/prettier.ts',
  'prettier/plugins/html': './lib/stubs/prettier.ts',
};

/**
 * Constants replaced at bundle time. React (react, react-dom/server) chooses its production or its development build
 * by `process.env.NODE_ENV`, which Lambda leaves unset: without this every bundle carries both (about 370 KB more) and
 * runs the development one. test/infra/bundle-render.test.ts renders every email through a bundle built with these
 * and `BUNDLE_ALIASES`, and through one built without them, and finds them byte-identical.
 */
export const BUNDLE_DEFINE: Readonly<Record<string, string>> = {
  'process.env.NODE_ENV': JSON.stringify('production'),
};

export interface NurtureFunctionProps {
  /** File name in `lambdas/handlers/` without `.ts`; it must export `handler`. */
  handler: string;
  /** The key that encrypts the log group (and everything else that holds data). */
  key: IKey;
  /** Where failed asynchronous invocations go. */
  deadLetterQueue: IQueue;
  /** Concurrency reserved for (and capping) this function; unset: none reserved, it shares the account's pool. */
  reservedConcurrency?: number;
  logRetention: RetentionDays;
  removalPolicy: RemovalPolicy;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  /** Lambda's own retries of a failed asynchronous invocation before it goes to the dead-letter queue (default 2). */
  retryAttempts?: number;
  /** How long Lambda keeps trying an asynchronous invocation (a throttled one included). */
  maxEventAge?: Duration;
}

/**
 * The DynamoDB calls the stores in `lambdas/adapters/dynamo-*.ts` make. Only the erasure of a person's data deletes
 * items (`DeleteItem`, the privacy handler alone); everything else leaves with TTL.
 */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'Scan';

/** A function's use of the table, granted as it is and nothing more. */
export interface TableAccess {
  /** Calls on the table itself (a Query here is on a lead's own partition). */
  actions: TableAction[];
  /** Queries the due index (the dispatcher, for what is due). */
  dueIndex?: boolean;
}

/** Actions that write items: the key must also encrypt for them. */
const WRITES: TableAction[] = ['PutItem', 'UpdateItem'];

export class NurtureFunction extends NodejsFunction {
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: NurtureFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    // Our own role: no AWS managed policy, only what the bind helpers and the log group grant.
    const role = new ManagedPolicyRole(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Nurture ${props.handler} handler`,
    });
    super(scope, id, {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: NODE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      logGroup,
      role,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        define: { ...BUNDLE_DEFINE },
        // The SDK version the tests ran with, not whichever the runtime ships.
        bundleAwsSDK: true,
        esbuildArgs: {
          '--jsx': 'automatic',
          '--alias': Object.entries(BUNDLE_ALIASES).map(([name, file]) => `${name}=${file}`),
        },
      },
    });
    this.key = props.key;
    logGroup.grantWrite(role);
    // SQS encrypts with the key when Lambda sends a failed event to the dead-letter queue with this role, and decrypts
    // with it when the SES-events function's event source receives from its queue.
    this.allowKeyVia('sqs', ['kms:GenerateDataKey', 'kms:Decrypt']);
    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        'The function reaches only AWS service endpoints (DynamoDB, SES, Secrets Manager, CloudWatch) over TLS with IAM-signed requests and opens no inbound port; there is no private resource to reach. A VPC would add NAT or endpoint cost without narrowing who can reach the data, which IAM and the KMS key already decide.',
    });
  }

  /** Grant the calls of `access` on the table (and Query on the due index if it asks) and set TABLE_NAME. */
  bindTable(table: ITable, access: TableAccess): this {
    if (access.actions.length > 0)
      this.addToRolePolicy(
        new PolicyStatement({
          actions: access.actions.map((action) => `dynamodb:${action}`),
          resources: [table.tableArn],
        }),
      );
    if (access.dueIndex)
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${DUE_INDEX}`] }),
      );
    this.allowKeyVia(
      'dynamodb',
      access.actions.some((action) => WRITES.includes(action))
        ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']
        : ['kms:Decrypt', 'kms:DescribeKey'],
    );
    this.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /** Grant reading one secret (and decrypting it) and set `envName` to its ARN. */
  bindSecret(envName: string, secret: ISecret): this {
    secret.grantRead(this);
    this.addEnvironment(envName, secret.secretArn);
    return this;
  }

  /** Allow SendRawEmail only as the identity and through the configuration set (SES checks both). */
  allowSesSending(identityArn: string, configurationSetName: string): this {
    const configurationSetArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSetName,
    });
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['ses:SendRawEmail'], resources: [identityArn, configurationSetArn] }),
    );
    return this;
  }

  /**
   * Let Lambda's SQS event source take messages from `queue` as this function (receive, delete, and hand back a
   * failed one). The key decrypts them only through SQS, as for every function (the constructor's grant).
   */
  allowConsume(queue: IQueue): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [queue.queueArn],
      }),
    );
    return this;
  }

  /** Allow reading SES's send quota: an account-level call with no resource to scope it to. */
  allowReadSendQuota(): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetSendQuota'], resources: ['*'] }));
    Validations.of(this.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only ses:GetSendQuota has Resource "*": it reads the account\'s sending quota and SES defines no resource type for it. Every other statement names its resource.',
    });
    return this;
  }

  /**
   * Allow this function to invoke itself (the dispatcher starting its workers), and nothing else. In a policy of its
   * own: the function waits for its role's policy before it is created, so that policy cannot name the function.
   */
  allowInvokeSelf(): this {
    new ManagedPolicy(this, 'InvokeSelf', {
      roles: [this.role!],
      description: 'Lets the dispatcher start its workers: invocations of itself',
      statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.functionArn] })],
    });
    return this;
  }

  private allowKeyVia(service: string, actions: string[]): void {
    this.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
  }
}

/**
 * A role whose statements go to one customer-managed policy instead of an inline default policy, so it is
 * versioned and reviewable on its own (HIPAA Security: no inline policies). The policy is the role's child, so
 * the function still waits for it before it is created (Lambda checks the dead-letter queue permission then).
 */
class ManagedPolicyRole extends Role {
  private readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id, props);
    this.policy = new ManagedPolicy(this, 'Policy', { roles: [this], description: props.description });
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
