/**
 * What a deploy depends on, pinned in the synthesized templates of the stages in cdk.json (one synth for the file;
 * the prod stage with the test fixtures of `synth.ts` in place of its placeholders).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadAdminConfig, loadConfig, loadPrivacyConfig, loadSesEventsConfig } from '../../lambdas/config.ts';
import { DISPATCH_METRICS, ROUTES, SEND_QUOTA_METRICS, SES_EVENT_TYPES } from '../../lambdas/contract.ts';
import { addNagPacks } from '../../lib/app.ts';
import { parseStages, reservedConcurrencyTotal } from '../../lib/config.ts';
import { HANDLERS } from '../../lib/handlers.ts';
import { tableDefinition } from '../../local/table.ts';
import { getAtt, isError, logicalId, prodFixture, ref, synth, testContext } from './synth.ts';

const stages = parseStages(testContext.nurture);
const app = synth();
const dev = app.template('dev');
const prod = app.template('prod');
const devStack = app.stacks.dev!;
const handlers = HANDLERS;
/** The handlers whose entry point reads less than `loadConfig` (and no secret), by the loader they pass to `lambdaEntry`. */
const NARROW_LOADERS: Record<string, (env: Record<string, string>) => unknown> = {
  admin: loadAdminConfig,
  'ses-events': loadSesEventsConfig,
};
/** The handlers that load a narrower config with the unsubscribe key (the privacy routes: it keys the address hash). */
const KEYED_LOADERS: Record<string, (env: Record<string, string>) => unknown> = {
  privacy: loadPrivacyConfig,
};

type Resource = { Type: string; Properties: Record<string, any> };
const resourcesOf = (template: typeof dev, type: string) => template.findResources(type) as Record<string, Resource>;
const only = (template: typeof dev, type: string): Resource => {
  const found = Object.values(resourcesOf(template, type));
  expect(found).toHaveLength(1);
  return found[0]!;
};
const keyArn = getAtt(logicalId(devStack, devStack.key));
const sesQueueId = logicalId(devStack, devStack.sesEvents!.queue);
const sesDeadLettersId = logicalId(devStack, devStack.sesEvents!.deadLetterQueue);
const fnId = (handler: string) => logicalId(devStack, devStack.functions[handler]!);
const fnProps = (handler: string) => dev.toJSON().Resources[fnId(handler)].Properties as Record<string, any>;
const prodStack = app.stacks.prod!;
const prodFnProps = (handler: string) =>
  prod.toJSON().Resources[logicalId(prodStack, prodStack.functions[handler]!)].Properties as Record<string, any>;
/** The statements of a function's role (all in one customer-managed policy). */
const statementsOf = (handler: string) => {
  const roleId = logicalId(devStack, devStack.functions[handler]!.role as never);
  const policies = Object.values(resourcesOf(dev, 'AWS::IAM::ManagedPolicy')).filter(
    (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([ref(roleId)]),
  );
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement as {
    Action: string | string[];
    Resource: unknown;
    Condition?: unknown;
  }[];
};
const actions = (statement: { Action: string | string[] }) => [statement.Action].flat();

describe('the prod stage, its placeholders replaced', () => {
  it('synthesizes with no error for the CLI to refuse, and without the rule that fails a deploy', () => {
    const errors = app.assembly.getStackArtifact(app.stacks.prod!.artifactId).messages.filter(isError);
    expect(errors).toEqual([]);
    expect(Object.keys(prod.toJSON().Rules)).toEqual(['CheckBootstrapVersion']);
  });
});

describe('the table', () => {
  const table = only(prod, 'AWS::DynamoDB::Table').Properties;

  it('has the keys and the sparse, sharded due index that local/table.ts creates', () => {
    expect(table.KeySchema).toEqual(tableDefinition.KeySchema);
    const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
      a.AttributeName.localeCompare(b.AttributeName);
    expect([...table.AttributeDefinitions].sort(byName)).toEqual(
      [...tableDefinition.AttributeDefinitions].sort(byName),
    );
    expect(table.GlobalSecondaryIndexes).toEqual(tableDefinition.GlobalSecondaryIndexes);
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('expires leads by TTL on expiresAt, keeps point-in-time recovery, and is encrypted with the stack key', () => {
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn });
  });

  it('has deletion protection and is retained in production, and neither in dev', () => {
    expect(table.DeletionProtectionEnabled).toBe(true);
    prod.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(only(dev, 'AWS::DynamoDB::Table').Properties.DeletionProtectionEnabled).toBe(false);
    dev.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });
});

describe('the KMS key', () => {
  it('is customer-managed, rotated, and encrypts the secrets, every log group, every queue and the alarm topic', () => {
    dev.resourceCountIs('AWS::KMS::Key', 1);
    dev.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const secrets = Object.values(resourcesOf(dev, 'AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(secret.Properties.KmsKeyId).toEqual(keyArn);
    const logGroups = Object.values(resourcesOf(dev, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(handlers.length + 1); // one per function, and the API's access log
    for (const group of logGroups) expect(group.Properties.KmsKeyId).toEqual(keyArn);
    const queues = Object.values(resourcesOf(dev, 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(3); // the dead letters, the SES events' queue and its dead letters
    for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toEqual(keyArn);
    expect(only(dev, 'AWS::SNS::Topic').Properties.KmsMasterKeyId).toEqual(keyArn);
  });

  it("lets CloudWatch Logs use it only for this account and region's log groups", () => {
    dev.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.us-east-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:aws:logs:us-east-1:', ref('AWS::AccountId'), ':log-group:*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('the Lambdas', () => {
  const newestNode = Runtime.ALL.filter((runtime) => /^nodejs\d+\.x$/.test(runtime.name)).sort(
    (a, b) => parseInt(b.name.slice(6)) - parseInt(a.name.slice(6)),
  )[0]!;

  it('are one per handler file, each with the index.handler entry point', () => {
    expect(Object.keys(resourcesOf(dev, 'AWS::Lambda::Function'))).toHaveLength(handlers.length);
    expect(handlers.map((spec) => spec.handler)).toEqual(
      expect.arrayContaining(['signup', 'unsubscribe', 'dispatch', 'ses-events']),
    );
    for (const spec of handlers) expect(fnProps(spec.handler).Handler).toBe('index.handler');
  });

  it(`run on ${newestNode.name} (the newest Node.js runtime in aws-cdk-lib), ARM64, with source maps`, () => {
    for (const spec of handlers) {
      const fn = fnProps(spec.handler);
      expect(fn.Runtime).toBe(newestNode.name);
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it("each have the dead-letter queue and their own log group with the stage's retention", () => {
    const dlq = getAtt(logicalId(devStack, devStack.deadLetterQueue));
    for (const spec of handlers) {
      const fn = fnProps(spec.handler);
      expect(fn.DeadLetterConfig).toEqual({ TargetArn: dlq });
      const logGroupId = fn.LoggingConfig.LogGroup.Ref as string;
      expect(dev.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(stages.dev!.logRetentionDays);
    }
  });

  it('reserve no concurrency in dev, so a new account (quota 10, 100 kept unreserved) can deploy it', () => {
    for (const spec of handlers)
      expect(fnProps(spec.handler).ReservedConcurrentExecutions, spec.handler).toBeUndefined();
    expect(reservedConcurrencyTotal(stages.dev!)).toBe(0);
  });

  it('reserve in prod exactly what its stage states: 43 in all, the dispatcher 1', () => {
    const byHandler = Object.fromEntries(
      handlers.map((spec) => [spec.handler, prodFnProps(spec.handler).ReservedConcurrentExecutions]),
    );
    expect(byHandler).toEqual({ signup: 20, unsubscribe: 10, dispatch: 1, 'ses-events': 5, booking: 5, admin: 2 });
    expect(reservedConcurrencyTotal(stages.prod!)).toBe(43);
  });

  it('get every setting lambdas/config.ts requires, and it accepts them', () => {
    for (const spec of handlers) {
      const variables = fnProps(spec.handler).Environment.Variables as Record<string, unknown>;
      // Deploy-time values (ARNs, names, the API URL) become plausible stand-ins; plain values are checked as they are.
      const env = Object.fromEntries(
        Object.entries(variables).map(([name, value]) => [
          name,
          typeof value === 'string'
            ? value
            : name.endsWith('_ARN')
              ? 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x'
              : name.endsWith('_URL')
                ? 'https://abc123.execute-api.us-east-1.amazonaws.com'
                : 'deployed-name',
        ]),
      );
      expect('BOOKING_SECRET_ARN' in variables, spec.handler).toBe(spec.secrets.includes('booking'));
      const narrowLoader = NARROW_LOADERS[spec.handler];
      if (narrowLoader) {
        // The admin report and the SES-event recorder load a narrower config and hold no key: neither signs a link.
        expect(spec.secrets, spec.handler).toEqual([]);
        expect(
          Object.keys(variables).filter((name) => name.endsWith('_SECRET_ARN')),
          spec.handler,
        ).toEqual([]);
        expect(() => narrowLoader(env), spec.handler).not.toThrow();
        expect(variables.TABLE_NAME).toEqual(ref(logicalId(devStack, devStack.table)));
        continue;
      }
      const keyedLoader = KEYED_LOADERS[spec.handler];
      if (keyedLoader) expect(() => keyedLoader(env), spec.handler).not.toThrow();
      expect(() => loadConfig(env), spec.handler).not.toThrow();
      expect(variables).toMatchObject({
        TABLE_NAME: ref(logicalId(devStack, devStack.table)),
        PUBLIC_BASE_URL: getAtt(logicalId(devStack, devStack.api), 'ApiEndpoint'),
        SES_CONFIGURATION_SET: ref(logicalId(devStack, devStack.configurationSet)),
        UNSUBSCRIBE_SECRET_ARN: { Ref: expect.stringMatching(/^UnsubscribeKey/) },
        CLINIC_NAME: stages.dev!.clinic.name,
        CLINIC_POSTAL_ADDRESS: stages.dev!.clinic.postalAddress.join('|'),
        FROM_ADDRESS: stages.dev!.email.fromAddress,
        RETENTION_DAYS: String(stages.dev!.retentionDays),
        SEND_WINDOW_START: stages.dev!.sendWindow!.start,
      });
    }
  });
});

describe('IAM', () => {
  it('every statement names its resources; the one "*" is GetSendQuota, which has no resource', () => {
    for (const spec of handlers) {
      for (const statement of statementsOf(spec.handler)) {
        for (const action of actions(statement)) expect(action, spec.handler).not.toMatch(/\*/);
        if (statement.Resource === '*') expect(actions(statement)).toEqual(['ses:GetSendQuota']);
      }
    }
    expect(statementsOf('dispatch').some((s) => s.Resource === '*')).toBe(true);
    expect(statementsOf('signup').some((s) => s.Resource === '*')).toBe(false);
  });

  it("SES sending is SendRawEmail as the clinic's identity through the configuration set, and only for handlers that send", () => {
    const identity = logicalId(devStack, devStack.identity);
    const configurationSet = logicalId(devStack, devStack.configurationSet);
    for (const spec of handlers) {
      const sesStatements = statementsOf(spec.handler).filter((s) => actions(s).some((a) => a.startsWith('ses:Send')));
      if (!spec.sends) {
        expect(sesStatements, spec.handler).toEqual([]);
        continue;
      }
      expect(sesStatements).toHaveLength(1);
      expect(actions(sesStatements[0]!)).toEqual(['ses:SendRawEmail']);
      expect(sesStatements[0]!.Resource).toEqual(
        expect.arrayContaining([
          { 'Fn::Join': ['', ['arn:aws:ses:us-east-1:', ref('AWS::AccountId'), ':identity/', ref(identity)]] },
          {
            'Fn::Join': [
              '',
              ['arn:aws:ses:us-east-1:', ref('AWS::AccountId'), ':configuration-set/', ref(configurationSet)],
            ],
          },
        ]),
      );
      expect(sesStatements[0]!.Resource).toHaveLength(2);
    }
  });

  it('table access is exactly the calls each handler makes, on the table only; only the dispatcher queries the due index; only the privacy handler deletes', () => {
    const table = getAtt(logicalId(devStack, devStack.table));
    const dueIndex = { 'Fn::Join': ['', [table, '/index/due']] };
    const granted = Object.fromEntries(
      handlers.map((spec) => [
        spec.handler,
        statementsOf(spec.handler)
          .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
          .map((s) => ({ actions: actions(s).sort(), resource: s.Resource })),
      ]),
    );
    const onTable = (...calls: string[]) => ({ actions: calls.map((call) => `dynamodb:${call}`), resource: table });
    expect(granted).toEqual({
      signup: [onTable('GetItem', 'PutItem', 'UpdateItem')],
      // Double opt-in's link: the lead is read, confirmed and recounted (a Query of its items), and sent its welcome.
      confirm: [onTable('GetItem', 'Query', 'UpdateItem')],
      // The report's counters: booking and unsubscribe recount the lead with a Query of its items, and the admin
      // report reads the counters with a Query; nothing on the request path scans the table (#14 item 3).
      unsubscribe: [onTable('GetItem', 'Query', 'UpdateItem')],
      dispatch: [onTable('GetItem', 'UpdateItem'), { actions: ['dynamodb:Query'], resource: dueIndex }],
      'ses-events': [onTable('GetItem', 'PutItem', 'Query', 'UpdateItem')],
      booking: [onTable('GetItem', 'PutItem', 'Query', 'UpdateItem')],
      admin: [onTable('Query')],
      // A person's data: export reads, erasure deletes, both audit (#15 item 4).
      privacy: [onTable('DeleteItem', 'GetItem', 'PutItem', 'Query')],
    });
    for (const spec of handlers) {
      expect(statementsOf(spec.handler)).toContainEqual(
        expect.objectContaining({
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
        }),
      );
    }
    // DeleteItem: the privacy handler's role alone, on the table alone. Nothing may batch-write or hold dynamodb:*.
    const template = JSON.stringify(dev.toJSON());
    expect(template).not.toMatch(/dynamodb:(BatchWriteItem|\*)/);
    const deleters = Object.values(resourcesOf(dev, 'AWS::IAM::ManagedPolicy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((statement) => actions(statement).includes('dynamodb:DeleteItem'))
        .map((statement) => ({ roles: policy.Properties.Roles, resource: statement.Resource })),
    );
    const privacyRole = ref(logicalId(devStack, devStack.functions.privacy!.role as never));
    expect(deleters).toEqual([{ roles: [privacyRole], resource: table }]);
    expect(template.match(/dynamodb:DeleteItem/g)).toHaveLength(1);
  });

  it('only the handlers that sign unsubscribe links or check booking signatures can read a secret: not the admin report, not the SES-event recorder', () => {
    const secretReaders = handlers
      .filter((spec) => statementsOf(spec.handler).some((s) => actions(s).includes('secretsmanager:GetSecretValue')))
      .map((spec) => spec.handler);
    // The privacy handler reads the unsubscribe key: it keys the hash an erasure keeps of an address.
    expect(secretReaders.sort()).toEqual(['booking', 'confirm', 'dispatch', 'privacy', 'signup', 'unsubscribe']);
  });

  it('roles carry no AWS managed policy and no inline policy', () => {
    for (const role of Object.values(resourcesOf(dev, 'AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
    dev.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('SES', () => {
  it("the clinic's domain is an identity with Easy DKIM (2048-bit) and the configuration set as its default", () => {
    dev.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: stages.dev!.email.senderDomain,
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      ConfigurationSetAttributes: { ConfigurationSetName: ref(logicalId(devStack, devStack.configurationSet)) },
    });
  });

  it('the configuration set has reputation metrics and requires TLS', () => {
    dev.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('its event destination is the default event bus, with every event type, opens and clicks included', () => {
    const destination = only(dev, 'AWS::SES::ConfigurationSetEventDestination').Properties.EventDestination;
    expect(destination.Enabled).toBe(true);
    expect(destination.EventBridgeDestination.EventBusArn).toEqual({
      'Fn::Join': ['', ['arn:aws:events:us-east-1:', ref('AWS::AccountId'), ':event-bus/default']],
    });
    expect(destination.MatchingEventTypes).toEqual(
      expect.arrayContaining([
        'send',
        'delivery',
        'open',
        'click',
        'bounce',
        'complaint',
        'reject',
        'deliveryDelay',
        'renderingFailure',
      ]),
    );
  });

  it("a rule puts exactly this configuration set's events of the types the handler reads in the ses-events queue, with a dead-letter queue", () => {
    const rules = Object.values(resourcesOf(dev, 'AWS::Events::Rule')).filter((rule) => rule.Properties.EventPattern);
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.ses'],
      detail: {
        eventType: [...SES_EVENT_TYPES],
        mail: { tags: { 'ses:configuration-set': [ref(logicalId(devStack, devStack.configurationSet))] } },
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt(sesQueueId),
        DeadLetterConfig: { Arn: getAtt(logicalId(devStack, devStack.deadLetterQueue)) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 8 },
      }),
    ]);
    // Nothing invokes the function from EventBridge any more: its queue does.
    const invokers = Object.values(resourcesOf(dev, 'AWS::Lambda::Permission')).filter(
      (permission) => JSON.stringify(permission.Properties.FunctionName) === JSON.stringify(getAtt(fnId('ses-events'))),
    );
    expect(invokers).toEqual([]);
  });

  it('only that rule may send to the queue, over TLS only', () => {
    const ruleId = Object.entries(resourcesOf(dev, 'AWS::Events::Rule')).find(
      ([, rule]) => rule.Properties.EventPattern,
    )![0];
    const policies = Object.values(resourcesOf(dev, 'AWS::SQS::QueuePolicy')).filter((policy) =>
      JSON.stringify(policy.Properties.Queues).includes(sesQueueId),
    );
    expect(policies).toHaveLength(1);
    const statements = policies[0]!.Properties.PolicyDocument.Statement as Record<string, any>[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt(sesQueueId),
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt(ruleId) } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toHaveLength(1);
  });

  it("the ses-events handler takes the queue in batches of up to 100 within 10 s, retrying a failed record alone, and after 5 failures the event waits 14 days in the queue's own dead-letter queue", () => {
    const queue = dev.toJSON().Resources[sesQueueId].Properties;
    const timeout = fnProps('ses-events').Timeout as number;
    // AWS's advice: the visibility timeout at least six times the function's timeout.
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: getAtt(sesDeadLettersId), maxReceiveCount: 5 });
    expect(queue.MessageRetentionPeriod).toBe(4 * 86_400);
    expect(dev.toJSON().Resources[sesDeadLettersId].Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    const mapping = only(dev, 'AWS::Lambda::EventSourceMapping').Properties;
    expect(mapping).toMatchObject({
      EventSourceArn: getAtt(sesQueueId),
      FunctionName: ref(fnId('ses-events')),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Dev reserves nothing, so the pollers are not capped; prod caps them at what it reserves for the function (5).
    expect(mapping.ScalingConfig).toBeUndefined();
    expect(only(prod, 'AWS::Lambda::EventSourceMapping').Properties.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
    expect(statementsOf('ses-events')).toContainEqual({
      Effect: 'Allow',
      Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      Resource: getAtt(sesQueueId),
    });
    for (const spec of handlers.filter((each) => each.handler !== 'ses-events'))
      expect(
        statementsOf(spec.handler).filter((statement) => actions(statement).includes('sqs:ReceiveMessage')),
        spec.handler,
      ).toEqual([]);
  });

  it('refuses a stage that reserves less than 2 for the ses-events handler (the least an SQS event source runs)', () => {
    const context = structuredClone(testContext) as { nurture: { stages: Record<string, Record<string, any>> } };
    context.nurture.stages.prod!.reservedConcurrency['ses-events'] = 1;
    expect(() => synth(context)).toThrow(/reserves 1 for SesEvents; an SQS event source needs at least 2/);
  });
});

describe('the dispatcher', () => {
  it('runs every minute where concurrency 1 is reserved for it (prod): Lambda runs one invocation at a time', () => {
    prod.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: getAtt(logicalId(prodStack, prodStack.functions.dispatch!)) })],
    });
    expect(prodFnProps('dispatch').ReservedConcurrentExecutions).toBe(1);
  });

  it('runs every 2 minutes where nothing is reserved (dev), longer than its 90-s timeout, so two runs never overlap', () => {
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      Targets: [Match.objectLike({ Arn: getAtt(fnId('dispatch')) })],
    });
    expect(fnProps('dispatch').Timeout).toBe(90);
    expect(fnProps('dispatch').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('refuses a handler list whose unreserved schedule is not longer than the timeout', () => {
    const overlapping = handlers.map((spec) =>
      spec.schedule ? { ...spec, schedule: { everyMinutes: 1, unreservedEveryMinutes: 1 } } : spec,
    );
    expect(() => synth({}, overlapping)).toThrow(
      'dispatch runs every 1 minute(s) when nothing is reserved for it, which must be longer than its timeout (90 s)',
    );
  });

  it('is not retried by Lambda (the next tick is the retry), and a tick never waits more than two minutes', () => {
    dev.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(fnId('dispatch')),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    });
  });

  it("may read SES's send quota, for the quota alarm's metrics", () => {
    expect(statementsOf('dispatch')).toContainEqual(
      expect.objectContaining({ Action: 'ses:GetSendQuota', Resource: '*' }),
    );
  });
});

describe("each stage's share of SES's send rate", () => {
  it('is the MAX_SEND_RATE of every function that sends, in each stage, and of no other', () => {
    expect([stages.dev!.maxSendRate, stages.prod!.maxSendRate]).toEqual([1, 13]);
    for (const spec of handlers) {
      const expected = (rate: number | undefined) => (spec.sends ? String(rate) : undefined);
      expect(fnProps(spec.handler).Environment.Variables.MAX_SEND_RATE, spec.handler).toBe(
        expected(stages.dev!.maxSendRate),
      );
      expect(prodFnProps(spec.handler).Environment.Variables.MAX_SEND_RATE, spec.handler).toBe(
        expected(stages.prod!.maxSendRate),
      );
    }
    expect(handlers.filter((spec) => spec.sends).map((spec) => spec.handler)).toEqual([
      'signup',
      'confirm',
      'dispatch',
      'booking',
    ]);
  });
});

describe('the HTTP API', () => {
  const routes = Object.values(resourcesOf(dev, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
  const integrations = resourcesOf(dev, 'AWS::ApiGatewayV2::Integration');
  const handlerOf = (route: Record<string, any>) =>
    integrations[route.Target['Fn::Join'][1][1].Ref]!.Properties.IntegrationUri;

  it("routes each path to its handler: public routes without an authorizer, the report's behind the sign-in's JWT authorizer, the scripts' behind IAM", () => {
    const expected = handlers.flatMap((spec) => (spec.routes ?? []).map((route) => ({ spec, route })));
    expect(routes).toHaveLength(expected.length);
    for (const { spec, route } of expected) {
      const found = routes.find((r) => r.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      expect(found!.AuthorizationType).toBe(
        route.auth === 'iam' ? 'AWS_IAM' : route.auth === 'signed-in' ? 'JWT' : 'NONE',
      );
      expect(handlerOf(found!)).toEqual(getAtt(fnId(spec.handler)));
    }
    expect(routes.map((r) => r.RouteKey)).toEqual(
      expect.arrayContaining([
        'POST /signup',
        'GET /unsubscribe',
        'POST /unsubscribe',
        'GET /confirm',
        'POST /confirm',
      ]),
    );
  });

  it("a person's data (export, erasure) is reachable only through routes behind IAM, to the privacy function alone", () => {
    const privacyRoutes = routes.filter((route) => String(route.RouteKey).includes('/privacy/'));
    expect(privacyRoutes.map((route) => route.RouteKey).sort()).toEqual([
      `POST ${ROUTES.adminPrivacyErase}`,
      `POST ${ROUTES.adminPrivacyExport}`,
    ]);
    for (const route of privacyRoutes) {
      expect(route.AuthorizationType, route.RouteKey).toBe('AWS_IAM');
      expect(handlerOf(route), route.RouteKey).toEqual(getAtt(fnId('privacy')));
    }
    // No other route reaches the privacy function.
    expect(
      routes.filter((route) => JSON.stringify(handlerOf(route)) === JSON.stringify(getAtt(fnId('privacy')))),
    ).toHaveLength(2);
  });

  it("answers CORS only for the clinic's origins, and only for POST", () => {
    dev.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: stages.dev!.allowedOrigins,
        AllowMethods: ['POST'],
        AllowHeaders: ['content-type'],
      },
    });
  });

  it('has stage throttling on, and access logs that carry no address, IP or query string', () => {
    const stage = only(dev, 'AWS::ApiGatewayV2::Stage').Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: stages.dev!.throttle.rateLimit,
      ThrottlingBurstLimit: stages.dev!.throttle.burstLimit,
    });
    const format = stage.AccessLogSettings.Format as string;
    expect(JSON.parse(format)).toMatchObject({
      requestId: '$context.requestId',
      route: '$context.routeKey',
      status: '$context.status',
    });
    expect(format).not.toMatch(/sourceIp|userAgent|querystring|path/i);
  });
});

describe('alarms', () => {
  type Alarm = Record<string, any>;
  const alarmsOf = (template: typeof dev) =>
    Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
  const alarms = alarmsOf(dev);
  const topic = ref(logicalId(devStack, devStack.monitoring.topic));
  const service = { Name: 'service', Value: devStack.stackName };
  /** The one alarm on this metric (a plain metric, or one of a metric-math alarm's inputs). */
  const alarmOn = (metricName: string, from = alarms): Alarm => {
    const found = from.filter(
      (alarm) =>
        alarm.MetricName === metricName ||
        (alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[] | undefined)?.some(
          (m) => m.MetricStat?.Metric.MetricName === metricName,
        ),
    );
    expect(found, metricName).toHaveLength(1);
    return found[0]!;
  };
  /** The one alarm on this metric of this queue. */
  const queueAlarm = (metricName: string, queueId: string): Alarm => {
    const found = alarms.filter(
      (alarm) =>
        alarm.MetricName === metricName &&
        JSON.stringify(alarm.Dimensions) ===
          JSON.stringify([{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }]),
    );
    expect(found, `${metricName} of ${queueId}`).toHaveLength(1);
    return found[0]!;
  };
  const notifies = (alarm: Alarm) => {
    expect(alarm.AlarmActions).toEqual([topic]);
    expect(alarm.OKActions).toEqual([topic]);
  };

  it("warn at a 4% bounce rate and a 0.08% complaint rate, before SES's 5% and 0.1% reviews", () => {
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SES',
        MetricName: 'Reputation.BounceRate',
        Threshold: 0.04,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SES',
        MetricName: 'Reputation.ComplaintRate',
        Threshold: 0.0008,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
  });

  it('fire on any dispatcher error and on any message in the dead-letter queue', () => {
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: ref(fnId('dispatch')) }],
        Threshold: 1,
      }),
    );
    for (const queueId of [logicalId(devStack, devStack.deadLetterQueue), sesDeadLettersId])
      expect(queueAlarm('ApproximateNumberOfMessagesVisible', queueId)).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
  });

  it('fire when an SES event has waited 30 minutes in its queue: the handler is not taking them', () => {
    const backlog = queueAlarm('ApproximateAgeOfOldestMessage', sesQueueId);
    expect(backlog).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 1800,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    notifies(backlog);
  });

  it("watch the dead-letter queue that every function, the schedule and the SES event rule send to, and the SES events' own", () => {
    const dlq = getAtt(logicalId(devStack, devStack.deadLetterQueue));
    const queues = new Set(
      [
        ...Object.values(resourcesOf(dev, 'AWS::Lambda::Function')).map((fn) => fn.Properties.DeadLetterConfig),
        ...Object.values(resourcesOf(dev, 'AWS::Events::Rule')).flatMap((rule) =>
          (rule.Properties.Targets as { DeadLetterConfig?: unknown }[]).map((target) => target.DeadLetterConfig),
        ),
      ].map((config) => JSON.stringify(config)),
    );
    expect([...queues]).toEqual([JSON.stringify({ TargetArn: dlq }), JSON.stringify({ Arn: dlq })]);
    dev.resourceCountIs('AWS::SQS::Queue', 3);
    for (const queueId of [logicalId(devStack, devStack.deadLetterQueue), sesDeadLettersId])
      notifies(queueAlarm('ApproximateNumberOfMessagesVisible', queueId));
  });

  it("fire at 80% of SES's 24-hour quota, from the metrics the dispatcher publishes", () => {
    const quota = alarmOn(SEND_QUOTA_METRICS.sentLast24Hours);
    expect(quota.Threshold).toBe(80);
    expect(quota.Metrics).toContainEqual(
      expect.objectContaining({ Expression: '100 * sent / quota', ReturnData: true }),
    );
    const metric = (id: string) => quota.Metrics.find((m: { Id: string }) => m.Id === id).MetricStat.Metric;
    expect(metric('sent')).toEqual({
      Namespace: SEND_QUOTA_METRICS.namespace,
      MetricName: SEND_QUOTA_METRICS.sentLast24Hours,
      Dimensions: [service],
    });
    expect(metric('quota')).toEqual({
      Namespace: SEND_QUOTA_METRICS.namespace,
      MetricName: SEND_QUOTA_METRICS.max24HourSend,
      Dimensions: [service],
    });
    expect(fnProps('dispatch').Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(devStack.stackName);
  });

  it('fire when no dispatcher run completes for 5 minutes, silence included (the heartbeat)', () => {
    const heartbeat = alarmOn(DISPATCH_METRICS.runs);
    expect(heartbeat).toMatchObject({
      Namespace: 'Nurture',
      MetricName: 'DispatchRuns',
      Dimensions: [service],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    notifies(heartbeat);
  });

  it('fire when leads are due and none is sent in three 5-minute periods running (15 minutes)', () => {
    const stalled = alarmOn(DISPATCH_METRICS.due);
    expect(alarmOn(DISPATCH_METRICS.sent)).toBe(stalled);
    expect(stalled).toMatchObject({
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(stalled.DatapointsToAlarm ?? stalled.EvaluationPeriods).toBe(3);
    const byId = Object.fromEntries((stalled.Metrics as { Id: string }[]).map((m) => [m.Id, m])) as Record<string, any>;
    const expression = (stalled.Metrics as { Expression?: string; ReturnData: boolean }[]).find((m) => m.Expression)!;
    expect(expression).toMatchObject({
      Expression: 'IF(FILL(due, 0) > 0 AND FILL(sent, 0) == 0, 1, 0)',
      ReturnData: true,
    });
    for (const [id, metricName] of [
      ['due', 'LeadsDue'],
      ['sent', 'Sent'],
    ] as const) {
      expect(byId[id]).toEqual({
        Id: id,
        MetricStat: {
          Metric: { Namespace: 'Nurture', MetricName: metricName, Dimensions: [service] },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      });
    }
    notifies(stalled);
  });

  it.each([
    ['rejected', 'SendsRejected'],
    ['unconfirmed', 'SendsUnconfirmed'],
    ['account-paused', 'AccountPaused'],
  ] as const)('fire on any %s send in 5 minutes (%s)', (_, metricName) => {
    const alarm = alarmOn(metricName);
    expect(alarm).toMatchObject({
      Namespace: 'Nurture',
      Dimensions: [service],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    notifies(alarm);
  });

  it("read the dispatcher's metrics by the names in lambdas/contract.ts", () => {
    expect(DISPATCH_METRICS).toMatchObject({
      namespace: 'Nurture',
      runs: 'DispatchRuns',
      due: 'LeadsDue',
      sent: 'Sent',
      rejected: 'SendsRejected',
      unconfirmed: 'SendsUnconfirmed',
      accountPaused: 'AccountPaused',
    });
  });

  it("fire on any server error from the HTTP API's $default stage in 5 minutes", () => {
    const alarm = alarmOn('5xx');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      Dimensions: [
        { Name: 'ApiId', Value: ref(logicalId(devStack, devStack.api)) },
        { Name: 'Stage', Value: '$default' },
      ],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    notifies(alarm);
  });

  it("all notify the KMS-encrypted alarm topic, which the prod stage's alarm emails subscribe to", () => {
    expect(alarms).toHaveLength(12 + handlers.length);
    for (const alarm of alarms) notifies(alarm);
    expect(alarmsOf(prod)).toHaveLength(alarms.length);
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: stages.prod!.alarmEmails[0] });
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
    dev.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it("reach the topic: its policy lets CloudWatch publish for this account's alarms only", () => {
    const policy = only(dev, 'AWS::SNS::TopicPolicy').Properties;
    expect(policy.Topics).toEqual([topic]);
    expect(policy.PolicyDocument.Statement).toContainEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: topic,
      Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    });
  });

  it("reach the topic: the key's policy lets CloudWatch encrypt for it (kms:Decrypt and kms:GenerateDataKey*)", () => {
    const statements = only(dev, 'AWS::KMS::Key').Properties.KeyPolicy.Statement as Record<string, any>[];
    const cloudWatch = statements.filter(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
    );
    expect(cloudWatch).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
  });
});

describe('the unsubscribe and booking secrets', () => {
  // Their pinned logical ids (logical-ids.test.ts).
  const secretIds = ['UnsubscribeKeyAE156D09', 'BookingWebhookKey4727FBE5'];

  it('are kept in prod, with the key that encrypts them, so links signed before a redeploy or a deleted stack still verify', () => {
    const resources = prod.toJSON().Resources as Record<
      string,
      { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties: any }
    >;
    for (const id of [...secretIds, 'DataKey17AFBB84']) {
      expect(resources[id], id).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    for (const id of secretIds) expect(resources[id]!.Properties.KmsKeyId).toEqual(getAtt('DataKey17AFBB84'));
    expect(resources.DataKey17AFBB84!.Properties.PendingWindowInDays).toBe(30);
  });

  it('are deleted with a dev stack', () => {
    const resources = dev.toJSON().Resources as Record<string, { DeletionPolicy?: string }>;
    for (const id of [...secretIds, 'DataKey17AFBB84']) expect(resources[id]!.DeletionPolicy, id).toBe('Delete');
  });
});

describe('outputs', () => {
  it('give the API URL, the table for npm run report, and a sign-up form that posts to the API', () => {
    const outputs = dev.toJSON().Outputs as Record<string, { Value: unknown }>;
    const api = getAtt(logicalId(devStack, devStack.api), 'ApiEndpoint');
    expect(outputs.ApiUrl!.Value).toEqual(api);
    expect(outputs.TableName!.Value).toEqual(ref(logicalId(devStack, devStack.table)));
    const form = JSON.stringify(outputs.SignupFormSnippet!.Value);
    expect(form).toContain('<form method=\\"post\\" action=\\"');
    expect(outputs.SignupFormSnippet!.Value).toEqual({
      'Fn::Join': ['', expect.arrayContaining([api, expect.stringMatching(/^\/signup" *>/)])],
    });
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'DkimRecord1',
        'DkimRecord2',
        'DkimRecord3',
        'BookingWebhookSecretArn',
        'AlarmTopicArn',
        'DeadLetterQueueUrl',
        'SesEventDeadLetterQueueUrl',
      ]),
    );
    // npm run privacy -- ... --table: the unsubscribe secret keys the hash of an erased address.
    const unsubscribeSecret = Object.entries(resourcesOf(dev, 'AWS::SecretsManager::Secret')).find(([, secret]) =>
      /unsubscribe/i.test(String(secret.Properties.Description)),
    )![0];
    expect(outputs.UnsubscribeSecretArn!.Value).toEqual(ref(unsubscribeSecret));
  });
});

describe("the prod stage's own API domain, in its Route 53 zone", () => {
  const domain = prodFixture.customDomain.domainName;
  const domainNameId = logicalId(prodStack, prodStack.apiDomainName!);

  it('is an API Gateway custom domain (TLS 1.2) with a certificate the stack creates and validates in the zone', () => {
    const certificate = only(prod, 'AWS::CertificateManager::Certificate');
    expect(certificate.Properties).toMatchObject({
      DomainName: domain,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: domain, HostedZoneId: prodFixture.customDomain.hostedZone.id }],
    });
    expect(only(prod, 'AWS::ApiGatewayV2::DomainName').Properties).toEqual({
      DomainName: domain,
      DomainNameConfigurations: [
        {
          CertificateArn: ref(Object.keys(prod.findResources('AWS::CertificateManager::Certificate'))[0]!),
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        },
      ],
    });
  });

  it("is mapped to the API's $default stage, and the zone gets an alias record for it", () => {
    expect(only(prod, 'AWS::ApiGatewayV2::ApiMapping').Properties).toEqual({
      ApiId: ref(logicalId(prodStack, prodStack.api)),
      DomainName: ref(domainNameId),
      Stage: '$default',
    });
    expect(only(prod, 'AWS::Route53::RecordSet').Properties).toEqual({
      Name: `${domain}.`,
      Type: 'A',
      HostedZoneId: prodFixture.customDomain.hostedZone.id,
      AliasTarget: {
        DNSName: getAtt(domainNameId, 'RegionalDomainName'),
        HostedZoneId: getAtt(domainNameId, 'RegionalHostedZoneId'),
      },
    });
  });

  it('is the base of the links in every email and of the outputs, so a replaced API breaks no link', () => {
    for (const spec of handlers.filter((h) => h.secrets.includes('unsubscribe')))
      expect(prodFnProps(spec.handler).Environment.Variables.PUBLIC_BASE_URL).toBe(`https://${domain}`);
    const outputs = prod.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ApiUrl!.Value).toBe(`https://${domain}`);
    expect(outputs.SignupUrl!.Value).toBe(`https://${domain}/signup`);
    expect(outputs.ApiDomainTarget).toBeUndefined();
  });

  it('is not in dev, which keeps the execute-api URL', () => {
    for (const type of [
      'AWS::ApiGatewayV2::DomainName',
      'AWS::ApiGatewayV2::ApiMapping',
      'AWS::CertificateManager::Certificate',
      'AWS::Route53::RecordSet',
    ])
      dev.resourceCountIs(type, 0);
    expect(fnProps('signup').Environment.Variables.PUBLIC_BASE_URL).toEqual(
      getAtt(logicalId(devStack, devStack.api), 'ApiEndpoint'),
    );
  });
});

describe('variant stages', () => {
  /** An SES identity verified elsewhere and a URL in front of the API made elsewhere; with double opt-in. */
  const elsewhere = {
    ...stages.dev!,
    email: { ...stages.dev!.email, existingIdentity: true },
    publicBaseUrl: 'https://api.clinic.example',
    doubleOptIn: true,
    holdoutShare: 0.1,
  };
  /** An API domain with a certificate that exists, no hosted zone, and no send-rate share. */
  const { maxSendRate: _, ...withoutRate } = stages.dev!;
  const certificateArn = 'arn:aws:acm:us-east-1:210987654321:certificate/5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
  const byCertificate = { ...withoutRate, customDomain: { domainName: 'api.dev.clinic.example', certificateArn } };
  const variants = synth({ nurture: { stages: { elsewhere, 'certified-domain': byCertificate } } });
  const template = variants.template('elsewhere');
  const certified = variants.template('certified-domain');

  it("an existing identity: creates none, and still scopes sending to that identity's ARN", () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const send = policies.find((statement: { Action: unknown }) => statement.Action === 'ses:SendRawEmail');
    expect(send.Resource).toContainEqual({
      'Fn::Join': ['', ['arn:aws:ses:us-east-1:', ref('AWS::AccountId'), `:identity/${elsewhere.email.senderDomain}`]],
    });
  });

  it('publicBaseUrl: puts that domain in the links of every email, and creates no custom domain', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://api.clinic.example');
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
  });

  it('a custom domain with an existing certificate: uses it, creates no certificate or record, and prints where to point the DNS', () => {
    certified.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    certified.resourceCountIs('AWS::Route53::RecordSet', 0);
    certified.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.dev.clinic.example',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: certificateArn, EndpointType: 'REGIONAL' })],
    });
    certified.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const domainId = Object.keys(certified.findResources('AWS::ApiGatewayV2::DomainName'))[0]!;
    const outputs = certified.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(outputs.ApiDomainTarget).toEqual({
      Value: getAtt(domainId, 'RegionalDomainName'),
      Description:
        "Point api.dev.clinic.example here: a CNAME record (or an alias to this name) at the domain's DNS host",
    });
    for (const fn of Object.values(certified.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://api.dev.clinic.example');
  });

  it('doubleOptIn: DOUBLE_OPT_IN=true in every function; unset (the dev stage), false', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.Environment.Variables.DOUBLE_OPT_IN).toBe('true');
    for (const spec of handlers) expect(fnProps(spec.handler).Environment.Variables.DOUBLE_OPT_IN).toBe('false');
  });

  it('holdoutShare: HOLDOUT_SHARE=0.1 in every function; unset (the dev stage), 0: off', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.Environment.Variables.HOLDOUT_SHARE).toBe('0.1');
    for (const spec of handlers) expect(fnProps(spec.handler).Environment.Variables.HOLDOUT_SHARE).toBe('0');
  });

  it("no maxSendRate: no MAX_SEND_RATE, so the dispatcher paces at SES's own rate", () => {
    for (const fn of Object.values(certified.findResources('AWS::Lambda::Function')))
      expect('MAX_SEND_RATE' in fn.Properties.Environment.Variables).toBe(false);
  });

  it('both synthesize with no unacknowledged cdk-nag finding', () => {
    const findings = variants.validationReport.pluginReports.flatMap((report) =>
      report.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });
});

describe('cdk-nag (AwsSolutions and HIPAA Security, on every synth)', () => {
  it('reports no unacknowledged finding, error or warning, in any stage', () => {
    const packs = app.validationReport.pluginReports.filter((report) =>
      ['AwsSolutions', 'HIPAA.Security'].includes(report.pluginName),
    );
    const findings = packs.flatMap((report) =>
      report.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => `${v.severity} ${v.ruleName} at ${c.constructPath}`),
      ),
    );
    expect(findings).toEqual([]);
  });

  it('a finding nobody acknowledged fails the synth, naming the rule', () => {
    const probe = new App();
    new Queue(new Stack(probe, 'Probe'), 'PlainQueue');
    addNagPacks(probe);
    expect(() => probe.synth()).toThrow(/Probe\/PlainQueue[\s\S]*AwsSolutions-SQS4/);
  });

  it('every acknowledgement names a rule of the two packs and gives its own reason', () => {
    const acknowledgements: { path: string; id: string; reason: string }[] = [];
    for (const construct of app.app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          acknowledgements.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      expect(id, path).toMatch(/^(AwsSolutions|HIPAA\.Security)-[A-Za-z0-9]+(\[[^\]]+\])?$/);
      expect(reason.length, `${id} at ${path}`).toBeGreaterThanOrEqual(80);
    }
    const reasonsByRule = new Map<string, Set<string>>();
    for (const { id, reason } of acknowledgements)
      reasonsByRule.set(
        reason,
        (reasonsByRule.get(reason) ?? new Set()).add(id.replace(/^(AwsSolutions|HIPAA\.Security)-/, '')),
      );
    // One reason may cover the same concern in both packs (SMG4 and SecretsManagerRotationEnabled), never unrelated rules.
    for (const [reason, rules] of reasonsByRule) expect(rules.size, reason).toBeLessThanOrEqual(2);
  });

  it('no acknowledgement covers a whole stack: each sits on the resource it is about', () => {
    for (const stack of Object.values(app.stacks)) {
      expect(stack.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)).toEqual(
        [],
      );
    }
  });
});
