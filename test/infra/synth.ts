/**
 * Synthesize the app as `npm run synth` does (cdk.json's context, both cdk-nag packs), once per test file, with the
 * prod stage's placeholders replaced by test fixtures (`testContext`).
 * Bundling is skipped here; `bundle.test.ts` bundles the handlers once and runs them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnResource, type App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../lib/app.ts';
import type { HandlerSpec } from '../../lib/handlers.ts';
import type { NurtureStack } from '../../lib/nurture-stack.ts';
import { PROJECT_ROOT } from '../../lib/nurture-function.ts';

/** cdk.json's context as committed: its prod stage has the placeholders a production stage refuses. */
export const cdkContext: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
).context;

/**
 * Test fixtures, made up for these tests: what an ops engineer sets in the prod stage before deploying it. They are
 * not the clinic's details and nothing is ever sent to them; they only have to pass the placeholder check (a 555
 * number outside 555-0100..0199, no reserved domain, no placeholder word).
 */
export const prodFixture = {
  clinic: {
    postalAddress: ['2200 Fixture Avenue, Suite 4', 'Macon, GA 31201', 'United States'],
    phone: '+1 (478) 555-2368',
    website: 'https://nurture-fixture-clinic.com',
    bookingUrl: 'https://nurture-fixture-clinic.com/consultation',
    costUrl: 'https://nurture-fixture-clinic.com/cost',
  },
  email: {
    senderDomain: 'nurture-fixture-clinic.com',
    fromAddress: 'care@nurture-fixture-clinic.com',
    replyTo: 'frontdesk@nurture-fixture-clinic.com',
  },
  allowedOrigins: ['https://nurture-fixture-clinic.com', 'https://www.nurture-fixture-clinic.com'],
  alarmEmails: ['ops@nurture-fixture-clinic.com'],
  // The API's domain in a Route 53 zone: the stack creates the certificate and the alias record there.
  customDomain: {
    domainName: 'api.nurture-fixture-clinic.com',
    hostedZone: { id: 'Z08417621FIXTURE0NURT', name: 'nurture-fixture-clinic.com' },
  },
};

/** cdk.json's context with `prodFixture` in the prod stage; the dev stage as committed. */
export const testContext: Record<string, unknown> = (() => {
  const context = structuredClone(cdkContext) as { nurture: { stages: Record<string, Record<string, any>> } };
  const prod = context.nurture.stages.prod!;
  Object.assign(prod, {
    ...prodFixture,
    clinic: { ...prod.clinic, ...prodFixture.clinic },
    email: { ...prod.email, ...prodFixture.email },
  });
  return context;
})();

export interface Synth {
  app: App;
  assembly: CloudAssembly;
  stacks: Record<string, NurtureStack>;
  template(stage: string): Template;
  /** CDK's policy validation report (cdk-nag's findings), as the CLI prints it. */
  validationReport: {
    pluginReports: {
      pluginName: string;
      violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
}

export function synth(context: Record<string, unknown> = {}, handlers?: HandlerSpec[]): Synth {
  const { app, stacks } = buildApp(
    { context: { ...testContext, 'aws:cdk:bundling-stacks': [], ...context } },
    handlers,
  );
  const assembly = app.synth();
  const templates = new Map<string, Template>();
  return {
    app,
    assembly,
    stacks,
    template(stage) {
      const stack = stacks[stage]!;
      if (!templates.has(stage))
        templates.set(stage, Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template));
      return templates.get(stage)!;
    },
    validationReport: JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')),
  };
}

/** The logical id CloudFormation knows a construct's resource by. */
export function logicalId(stack: NurtureStack, construct: { node: { defaultChild?: unknown } } | CfnResource): string {
  const resource = construct instanceof CfnResource ? construct : (construct.node.defaultChild as CfnResource);
  return stack.getLogicalId(resource);
}

export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
export const ref = (id: string) => ({ Ref: id });
/** An error in a stack artifact's messages (its level is aws-cdk-lib's deprecated SynthesisMessageLevel, a string enum). */
export const isError = (message: { level: string }) => message.level === 'error';
