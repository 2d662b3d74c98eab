/**
 * The CDK app: one NurtureStack per stage named in cdk.json, with cdk-nag's AwsSolutions and HIPAA Security packs
 * checking every synth. Used by `bin/nurture.ts` (the CLI's entry) and by the infra tests.
 */
import { Annotations, App, type AppProps, CfnRule, Fn, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { readStages } from './config.ts';
import type { HandlerSpec } from './handlers.ts';
import { NurtureStack } from './nurture-stack.ts';

export interface NurtureApp {
  app: App;
  stacks: Record<string, NurtureStack>;
}

/**
 * Build the app. Stage settings come from the context key `nurture` (cdk.json); a bad one throws naming the field.
 * A production stage that still has placeholders is built with them as errors on its stack: `cdk synth` and
 * `cdk deploy` of that stack fail, listing them, while the other stages synthesize and deploy as usual.
 */
export function buildApp(props: AppProps = {}, handlers?: HandlerSpec[]): NurtureApp {
  const app = new App(props);
  const { stages, placeholders } = readStages(app.node.tryGetContext('nurture'));
  const stacks: Record<string, NurtureStack> = {};
  for (const [stage, config] of Object.entries(stages)) {
    stacks[stage] = new NurtureStack(app, `Nurture-${stage}`, {
      stackName: `nurture-${stage}`,
      description: `Nurture email service (${stage})`,
      env: { account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: config.region },
      terminationProtection: config.production,
      config,
      handlers,
    });
    if (placeholders[stage]) refusePlaceholders(stacks[stage], stage, placeholders[stage]);
  }
  addNagPacks(app);
  return { app, stacks };
}

/** cdk-nag's AwsSolutions and HIPAA Security packs: any finding not acknowledged with a reason fails the synth. */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
}

/** Make a stage with placeholders impossible to deploy, saying which fields to set. */
function refusePlaceholders(stack: Stack, stage: string, problems: string[]): void {
  const annotations = Annotations.of(stack);
  annotations.addError(
    `stages.${stage} is a production stage with placeholder values: set each field below in cdk.json (context.nurture.stages.${stage}), then synthesize or deploy ${stack.node.id} again`,
  );
  for (const problem of problems) annotations.addError(problem);
  // `cdk deploy --ignore-errors` would skip the errors above; CloudFormation still refuses a template whose rule fails.
  new CfnRule(stack, 'NoPlaceholders', {
    assertions: [
      {
        assert: Fn.conditionEquals('placeholders', 'none'),
        assertDescription: `stages.${stage} in cdk.json still has placeholder values (npx cdk synth ${stack.node.id} lists them)`,
      },
    ],
  });
}
