/** Per-stage settings in cdk.json: validated when the app is built, and a bad value is named in the error. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { parseStages, readStages, type StageConfig } from '../../lib/config.ts';
import { PROJECT_ROOT } from '../../lib/nurture-function.ts';
import { cdkContext, isError, prodFixture, testContext } from './synth.ts';

const good = structuredClone((testContext.nurture as { stages: Record<string, StageConfig> }).stages);

/** The test stages (cdk.json's, with prodFixture in prod) with one change to the prod stage. */
function withProd(change: (prod: Record<string, any>) => void) {
  const stages = structuredClone(good) as Record<string, Record<string, any>>;
  change(stages.prod!);
  return { stages };
}

const problem = (value: unknown) => {
  try {
    parseStages(value);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('stage configuration', () => {
  it('cdk.json names a dev and a prod stage; with its details set, prod is valid too', () => {
    const stages = parseStages(testContext.nurture);
    expect(Object.keys(stages)).toEqual(['dev', 'prod']);
    expect(stages.prod!.production).toBe(true);
    expect(stages.dev!.production).toBe(false);
  });

  it.each([
    [
      "a sender outside the SES identity's domain",
      (p: any) => (p.email.fromAddress = 'care@elsewhere.org'),
      `stages.prod.email.fromAddress: must be an address at ${prodFixture.email.senderDomain}`,
    ],
    [
      'an origin with a path',
      (p: any) => (p.allowedOrigins = ['https://clinic.example/form']),
      'stages.prod.allowedOrigins.0: must be an https origin',
    ],
    [
      'an http booking URL',
      (p: any) => (p.clinic.bookingUrl = 'http://clinic.example/book'),
      'stages.prod.clinic.bookingUrl: must be an https URL',
    ],
    [
      'a time zone that does not exist',
      (p: any) => (p.clinic.defaultTimeZone = 'America/Atlantis'),
      'stages.prod.clinic.defaultTimeZone: must be an IANA time zone',
    ],
    [
      'a send window that ends before it starts',
      (p: any) => (p.sendWindow = { start: '18:00', end: '09:00' }),
      'stages.prod.sendWindow.end: must be later than sendWindow.start',
    ],
    [
      'a log retention CloudWatch does not offer',
      (p: any) => (p.logRetentionDays = 42),
      "stages.prod.logRetentionDays: must be one of CloudWatch Logs' retention periods",
    ],
    ['a retention of zero days', (p: any) => (p.retentionDays = 0), 'stages.prod.retentionDays:'],
    [
      'a postal address line with the separator in it',
      (p: any) => (p.clinic.postalAddress = ['100 Main St | Suite 2']),
      'stages.prod.clinic.postalAddress.0: must not contain "|"',
    ],
    ['a misspelt setting', (p: any) => (p.retentionDay = 30), 'stages.prod: Unrecognized key: "retentionDay"'],
    ['a missing region', (p: any) => delete p.region, 'stages.prod.region:'],
  ])('%s is refused, naming the field', (_, change, message) => {
    expect(problem(withProd(change))).toContain(message);
  });

  it('a bad value stops the synth before any stack is built, naming the field', () => {
    const context = { ...testContext, nurture: withProd((p) => (p.email.replyTo = 'front desk')) };
    expect(() => buildApp({ context })).toThrow(
      /Invalid stage configuration in cdk\.json[\s\S]*stages\.prod\.email\.replyTo/,
    );
  });
});

describe('placeholders in a production stage', () => {
  /** The fields of cdk.json's prod stage, as committed, that still hold placeholders. */
  const committedPlaceholders = [
    'clinic.postalAddress.0',
    'clinic.phone',
    'clinic.website',
    'clinic.bookingUrl',
    'email.senderDomain',
    'email.fromAddress',
    'email.replyTo',
    'allowedOrigins.0',
    'allowedOrigins.1',
    'alarmEmails.0',
  ].map((field) => `stages.prod.${field}`);
  const addressLine =
    'stages.prod.clinic.postalAddress.0: looks like a placeholder ("100 Example Street, Suite 200"): set the clinic\'s real postal address (CAN-SPAM requires a valid one)';
  const lines = (message: string) =>
    message
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
  const fieldOf = (line: string) => line.slice(0, line.indexOf(':'));

  it("cdk.json's prod stage, as committed, is refused: one line per placeholder field, all at once, each saying what to set", () => {
    const message = problem(cdkContext.nurture);
    expect(message.split('\n')[0]).toBe('Invalid stage configuration in cdk.json (context "nurture"):');
    expect(lines(message).map(fieldOf)).toEqual(committedPlaceholders);
    expect(lines(message)).toContain(addressLine);
    expect(lines(message)).toContain(
      'stages.prod.clinic.phone: looks like a placeholder ("+1 (478) 555-0100"): set the clinic\'s real phone number',
    );
    expect(lines(message)).toContain(
      'stages.prod.alarmEmails.0: looks like a placeholder ("ops@clinic.example"): set a real address for alarms, or leave the list empty to subscribe later',
    );
  });

  it('the dev stage (production: false) keeps the same placeholders', () => {
    const { stages, placeholders } = readStages(cdkContext.nurture);
    expect(Object.keys(placeholders)).toEqual(['prod']);
    expect(stages.dev!.production).toBe(false);
    expect(stages.dev!.clinic.postalAddress[0]).toBe('100 Example Street, Suite 200');
    expect(stages.dev!.email.senderDomain).toBe('dev.clinic.example');
  });

  it.each([
    [
      'a placeholder clinic name',
      (p: any) => (p.clinic.name = 'Example Clinic'),
      'stages.prod.clinic.name: looks like a placeholder ("Example Clinic"): set the clinic\'s name',
    ],
    [
      'a second address line to fill in',
      (p: any) => p.clinic.postalAddress.splice(1, 0, 'TODO'),
      'stages.prod.clinic.postalAddress.1: looks like a placeholder ("TODO")',
    ],
    [
      'a fictional 555-01xx phone number',
      (p: any) => (p.clinic.phone = '478-555-0142'),
      'stages.prod.clinic.phone: looks like a placeholder ("478-555-0142")',
    ],
    [
      'a MAIL FROM domain under example.com',
      (p: any) =>
        Object.assign(p.email, {
          senderDomain: 'example.com',
          fromAddress: 'care@example.com',
          mailFromDomain: 'mail.example.com',
        }),
      'stages.prod.email.mailFromDomain: looks like a placeholder ("mail.example.com")',
    ],
    [
      'an API domain under .test',
      (p: any) => (p.publicBaseUrl = 'https://api.clinic.test'),
      'stages.prod.publicBaseUrl: looks like a placeholder ("https://api.clinic.test"): set the API\'s real domain, or leave it out',
    ],
    [
      'an origin on localhost',
      (p: any) => p.allowedOrigins.push('https://localhost'),
      'stages.prod.allowedOrigins.2: looks like a placeholder ("https://localhost")',
    ],
    [
      'a second alarm address at .invalid',
      (p: any) => p.alarmEmails.push('pager@ops.invalid'),
      'stages.prod.alarmEmails.1: looks like a placeholder ("pager@ops.invalid")',
    ],
  ])('%s is refused, naming the field', (_, change, message) => {
    expect(problem(withProd(change))).toContain(message);
  });

  it('a placeholder and a malformed value are reported together', () => {
    const message = problem(
      withProd((p) =>
        Object.assign(p, {
          retentionDays: 0,
          clinic: { ...p.clinic, postalAddress: ['100 Example Street, Suite 200'] },
        }),
      ),
    );
    expect(lines(message).map(fieldOf)).toEqual(['stages.prod.retentionDays', 'stages.prod.clinic.postalAddress.0']);
  });

  it('a production stage with no alarm emails is fine (subscribe later)', () => {
    expect(problem(withProd((p) => (p.alarmEmails = [])))).toBe('no error');
  });

  describe('the app as committed', () => {
    // As the CDK CLI runs the app: errors go to the cloud assembly and the CLI judges each selected stack by them.
    const outdir = mkdtempSync(path.join(tmpdir(), 'nurture-committed-'));
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));
    const { app, stacks } = buildApp({
      outdir,
      context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:failSynthOnValidationErrors': false },
    });
    const assembly = app.synth();
    const artifact = (stage: string) => assembly.getStackArtifact(stacks[stage]!.artifactId);
    const errors = (stage: string) =>
      artifact(stage)
        .messages.filter(isError)
        .map((message) => message.entry.data as string);
    /** The real CDK CLI, judging the synthesized assembly (offline: no notices, version check or telemetry). */
    const cdkSynth = (stack: string) =>
      promisify(execFile)(
        process.execPath,
        [
          path.join(PROJECT_ROOT, 'node_modules/aws-cdk/bin/cdk'),
          'synth',
          '--quiet',
          '--no-notices',
          '--app',
          outdir,
          stack,
        ],
        {
          cwd: PROJECT_ROOT,
          env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0' },
          timeout: 30_000,
        },
      );

    it('puts every placeholder on the prod stack as an error, after one line saying where to set them, and none on dev', () => {
      const prodErrors = errors('prod');
      expect(prodErrors[0]).toBe(
        'stages.prod is a production stage with placeholder values: set each field below in cdk.json (context.nurture.stages.prod), then synthesize or deploy Nurture-prod again',
      );
      expect(prodErrors.slice(1).map(fieldOf)).toEqual(committedPlaceholders);
      expect(prodErrors).toContain(addressLine);
      expect(errors('dev')).toEqual([]);
    });

    it('gives the prod template a rule CloudFormation fails, in case the errors are ignored (cdk deploy --ignore-errors)', () => {
      expect(artifact('prod').template.Rules.NoPlaceholders.Assertions).toEqual([
        {
          Assert: { 'Fn::Equals': ['placeholders', 'none'] },
          AssertDescription: expect.stringContaining('stages.prod in cdk.json still has placeholder values'),
        },
      ]);
      expect(artifact('dev').template.Rules.NoPlaceholders).toBeUndefined();
    });

    it('the CDK CLI refuses the prod stack, listing each field, and accepts the dev stack', async () => {
      const refused = await cdkSynth('Nurture-prod').then(
        () => 'no error',
        (error: { code: number; stderr: string }) => error,
      );
      expect(refused).toMatchObject({ code: 1 });
      const stderr = (refused as { stderr: string }).stderr;
      for (const field of committedPlaceholders) expect(stderr).toContain(`${field}: looks like a placeholder`);
      expect(stderr).toContain(addressLine);
      await expect(cdkSynth('Nurture-dev')).resolves.toBeDefined();
    });
  });
});
