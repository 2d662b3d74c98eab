/**
 * What a deploy depends on, pinned in the synthesized templates of the stages in cdk.json (one synth for the file;
 * the prod stage with the test fixtures of `synth.ts` in place of its placeholders).
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadAdminConfig, loadConfig, loadSesEventsConfig } from '../../lambdas/config.ts';
import { SEND_QUOTA_METRICS, SES_EVENT_TYPES } from '../../lambdas/contract.ts';
import { addNagPacks } from '../../lib/app.ts';
import { parseStages } from '../../lib/config.ts';
import { HANDLERS } from '../../lib/handlers.ts';
import { tableDefinition } from '../../local/table.ts';
import { getAtt, isError, logicalId, ref, synth, testContext } from './synth.ts';

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

type Resource = { Type: string; Properties: Record<string, any> };
const resourcesOf = (template: typeof dev, type: string) => template.findResources(type) as Record<string, Resource>;
const only = (template: typeof dev, type: string): Resource => {
  const found = Object.values(resourcesOf(template, type));
  expect(found).toHaveLength(1);
  return found[0]!;
};
const keyArn = getAtt(logicalId(devStack, devStack.key));
const fnId = (handler: string) => logicalId(devStack, devStack.functions[handler]!);
const fnProps = (handler: string) => dev.toJSON().Resources[fnId(handler)].Properties as Record<string, any>;
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
  it('is customer-managed, rotated, and encrypts the secrets, every log group, the dead-letter queue and the alarm topic', () => {
    dev.resourceCountIs('AWS::KMS::Key', 1);
    dev.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const secrets = Object.values(resourcesOf(dev, 'AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(2);
    for (const secret of secrets) expect(secret.Properties.KmsKeyId).toEqual(keyArn);
    const logGroups = Object.values(resourcesOf(dev, 'AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(handlers.length + 1); // one per function, and the API's access log
    for (const group of logGroups) expect(group.Properties.KmsKeyId).toEqual(keyArn);
    expect(only(dev, 'AWS::SQS::Queue').Properties.KmsMasterKeyId).toEqual(keyArn);
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

  it("each have reserved concurrency, the dead-letter queue, and their own log group with the stage's retention", () => {
    const dlq = getAtt(logicalId(devStack, devStack.deadLetterQueue));
    for (const spec of handlers) {
      const fn = fnProps(spec.handler);
      expect(fn.ReservedConcurrentExecutions).toBe(spec.reservedConcurrency);
      expect(fn.DeadLetterConfig).toEqual({ TargetArn: dlq });
      const logGroupId = fn.LoggingConfig.LogGroup.Ref as string;
      expect(dev.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(stages.dev!.logRetentionDays);
    }
    expect(fnProps('dispatch').ReservedConcurrentExecutions).toBe(1);
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

  it('table access is the table and its due index only, with the key only through DynamoDB', () => {
    const table = getAtt(logicalId(devStack, devStack.table));
    for (const spec of handlers) {
      const statements = statementsOf(spec.handler);
      const tableStatement = statements.find((s) => actions(s).some((a) => a.startsWith('dynamodb:')))!;
      expect(tableStatement.Resource).toEqual([table, { 'Fn::Join': ['', [table, '/index/due']] }]);
      expect(actions(tableStatement).includes('dynamodb:PutItem')).toBe(spec.table === 'readWrite');
      // Only the report reads the whole table.
      expect(actions(tableStatement).includes('dynamodb:Scan')).toBe(spec.table === 'read');
      expect(statements).toContainEqual(
        expect.objectContaining({
          Resource: keyArn,
          Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
        }),
      );
    }
  });

  it('only the handlers that sign unsubscribe links or check booking signatures can read a secret: not the admin report, not the SES-event recorder', () => {
    const secretReaders = handlers
      .filter((spec) => statementsOf(spec.handler).some((s) => actions(s).includes('secretsmanager:GetSecretValue')))
      .map((spec) => spec.handler);
    expect(secretReaders.sort()).toEqual(['booking', 'dispatch', 'signup', 'unsubscribe']);
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

  it("a rule sends exactly this configuration set's events of the types the handler reads to ses-events, with a dead-letter queue", () => {
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
        Arn: getAtt(fnId('ses-events')),
        DeadLetterConfig: { Arn: getAtt(logicalId(devStack, devStack.deadLetterQueue)) },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 8 },
      }),
    ]);
  });
});

describe('the dispatcher', () => {
  it('runs every minute from an EventBridge schedule', () => {
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: getAtt(fnId('dispatch')) })],
    });
  });

  it('is not retried by Lambda (the next tick is the retry), and a tick never waits more than two minutes', () => {
    dev.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: ref(fnId('dispatch')),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 120,
    });
  });

  it("may read SES's send quota, from which it takes its pace", () => {
    expect(statementsOf('dispatch')).toContainEqual(
      expect.objectContaining({ Action: 'ses:GetSendQuota', Resource: '*' }),
    );
    expect('MAX_SEND_RATE' in fnProps('dispatch').Environment.Variables).toBe(false);
  });
});

describe('the HTTP API', () => {
  const routes = Object.values(resourcesOf(dev, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
  const integrations = resourcesOf(dev, 'AWS::ApiGatewayV2::Integration');
  const handlerOf = (route: Record<string, any>) =>
    integrations[route.Target['Fn::Join'][1][1].Ref]!.Properties.IntegrationUri;

  it('routes each path to its handler, public routes without an authorizer and admin routes behind IAM', () => {
    const expected = handlers.flatMap((spec) => (spec.routes ?? []).map((route) => ({ spec, route })));
    expect(routes).toHaveLength(expected.length);
    for (const { spec, route } of expected) {
      const found = routes.find((r) => r.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      expect(found!.AuthorizationType).toBe(route.auth === 'iam' ? 'AWS_IAM' : 'NONE');
      expect(handlerOf(found!)).toEqual(getAtt(fnId(spec.handler)));
    }
    expect(routes.map((r) => r.RouteKey)).toEqual(
      expect.arrayContaining(['POST /signup', 'GET /unsubscribe', 'POST /unsubscribe']),
    );
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
  const alarms = Object.values(resourcesOf(dev, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
  const topic = ref(logicalId(devStack, devStack.monitoring.topic));

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
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(logicalId(devStack, devStack.deadLetterQueue), 'QueueName') }],
        Threshold: 1,
      }),
    );
  });

  it("fire at 80% of SES's 24-hour quota, from the metrics the dispatcher publishes", () => {
    const quota = alarms.find((alarm) => alarm.Metrics)!;
    expect(quota.Threshold).toBe(80);
    expect(quota.Metrics).toContainEqual(
      expect.objectContaining({ Expression: '100 * sent / quota', ReturnData: true }),
    );
    const metric = (id: string) => quota.Metrics.find((m: { Id: string }) => m.Id === id).MetricStat.Metric;
    const service = { Name: 'service', Value: devStack.stackName };
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

  it("all notify the KMS-encrypted alarm topic, which the prod stage's alarm emails subscribe to", () => {
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: stages.prod!.alarmEmails[0] });
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
    dev.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
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
      expect.arrayContaining(['DkimRecord1', 'DkimRecord2', 'DkimRecord3', 'BookingWebhookSecretArn', 'AlarmTopicArn']),
    );
  });
});

describe('a stage with an SES identity verified elsewhere and its own API domain', () => {
  const variantStage = {
    ...stages.dev!,
    email: { ...stages.dev!.email, existingIdentity: true },
    publicBaseUrl: 'https://api.clinic.example',
  };
  const variant = synth({ nurture: { stages: { variant: variantStage } } });
  const template = variant.template('variant');

  it("creates no identity, and still scopes sending to that identity's ARN", () => {
    template.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const send = policies.find((statement: { Action: unknown }) => statement.Action === 'ses:SendRawEmail');
    expect(send.Resource).toContainEqual({
      'Fn::Join': [
        '',
        ['arn:aws:ses:us-east-1:', ref('AWS::AccountId'), `:identity/${variantStage.email.senderDomain}`],
      ],
    });
  });

  it('puts its own domain in the links of every email', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://api.clinic.example');
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
