/**
 * The CDK app: one NurtureStack per stage named in cdk.json, with cdk-nag's AwsSolutions and HIPAA Security packs
 * checking every synth. Used by `bin/nurture.ts` (the CLI's entry) and by the infra tests.
 */
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { parseStages } from './config.ts';
import type { HandlerSpec } from './handlers.ts';
import { NurtureStack } from './nurture-stack.ts';

export interface NurtureApp {
  app: App;
  stacks: Record<string, NurtureStack>;
}

/** Build the app. Stage settings come from the context key `nurture` (cdk.json); a bad one throws naming the field. */
export function buildApp(props: AppProps = {}, handlers?: HandlerSpec[]): NurtureApp {
  const app = new App(props);
  const stages = parseStages(app.node.tryGetContext('nurture'));
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
  }
  addNagPacks(app);
  return { app, stacks };
}

/** cdk-nag's AwsSolutions and HIPAA Security packs: any finding not acknowledged with a reason fails the synth. */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
}
