/**
 * A stage that splits dispatcher runs across workers (`dispatchWorkers`): the dispatcher may invoke itself and
 * nothing else, reserves room for the scheduled run and its workers, and reads the settings it divides the run by.
 * Stages that leave `dispatchWorkers` out (cdk.json's dev and prod) grant no invoke at all.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lambdas/config.ts';
import { parseStages } from '../../lib/config.ts';
import { getAtt, logicalId, ref, synth, testContext } from './synth.ts';

const stages = parseStages(testContext.nurture);
const prod = stages.prod!;
const fanning = {
  ...prod,
  dispatchWorkers: 4,
  dispatchWorkerRate: 50,
  reservedConcurrency: { ...prod.reservedConcurrency, dispatch: 5 },
};
const variants = synth({ nurture: { stages: { fanning } } });
const template = variants.template('fanning');
const stack = variants.stacks.fanning!;
const committed = synth();

type Statement = { Action: string | string[]; Resource: unknown };
const invokeStatements = (t: typeof template) =>
  Object.values(t.findResources('AWS::IAM::ManagedPolicy')).flatMap((policy) =>
    (policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('lambda:')))
      .map((statement) => ({ statement, roles: policy.Properties.Roles as unknown })),
  );
const fnProps = (handler: string) =>
  template.toJSON().Resources[logicalId(stack, stack.functions[handler]!)].Properties as Record<string, any>;

describe('a stage that splits dispatcher runs across workers', () => {
  const dispatcherId = logicalId(stack, stack.functions.dispatch!);
  const dispatcherRoleId = logicalId(stack, stack.functions.dispatch!.role as never);

  it('lets the dispatcher invoke itself, only itself, and no other function invoke anything', () => {
    expect(invokeStatements(template)).toEqual([
      {
        statement: expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: getAtt(dispatcherId) }),
        roles: [ref(dispatcherRoleId)],
      },
    ]);
  });

  it('reserves the scheduled run and its four workers: 5', () => {
    expect(fnProps('dispatch').ReservedConcurrentExecutions).toBe(5);
  });

  it('gives the dispatcher, and only it, the workers and the worker rate, which its config reads', () => {
    const env = fnProps('dispatch').Environment.Variables as Record<string, string>;
    expect(env).toMatchObject({ DISPATCH_MAX_WORKERS: '4', DISPATCH_WORKER_RATE: '50' });
    const config = loadConfig({
      DISPATCH_MAX_WORKERS: env.DISPATCH_MAX_WORKERS,
      DISPATCH_WORKER_RATE: env.DISPATCH_WORKER_RATE,
      TABLE_NAME: 't',
      SES_CONFIGURATION_SET: 'c',
      PUBLIC_BASE_URL: 'https://api.clinic.example',
      UNSUBSCRIBE_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:u',
    });
    expect([config.DISPATCH_MAX_WORKERS, config.DISPATCH_WORKER_RATE]).toEqual([4, 50]);
    for (const handler of Object.keys(stack.functions).filter((name) => name !== 'dispatch'))
      expect(Object.keys(fnProps(handler).Environment.Variables), handler).not.toContain('DISPATCH_MAX_WORKERS');
  });

  it('synthesizes with no unacknowledged cdk-nag finding', () => {
    const findings = variants.validationReport.pluginReports.flatMap((report) =>
      report.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });
});

describe("cdk.json's stages, which leave dispatchWorkers out", () => {
  it('grant no function any invoke, and set no worker settings', () => {
    for (const stage of ['dev', 'prod']) {
      const t = committed.template(stage);
      expect(invokeStatements(t), stage).toEqual([]);
      for (const fn of Object.values(t.findResources('AWS::Lambda::Function')))
        expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('DISPATCH_MAX_WORKERS');
    }
  });
});
