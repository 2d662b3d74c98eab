/** Per-stage settings in cdk.json: validated when the app is built, and a bad value is named in the error. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { parseStages, readStages, reservedConcurrencyTotal, type StageConfig } from '../../lib/config.ts';
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
      'a holdout of more than half the leads',
      (p: any) => (p.holdoutShare = 0.6),
      'stages.prod.holdoutShare: must be from 0 to 0.5, like 0.1 for 10%',
    ],
    [
      'a postal address line with the separator in it',
      (p: any) => (p.clinic.postalAddress = ['100 Main St | Suite 2']),
      'stages.prod.clinic.postalAddress.0: must not contain "|"',
    ],
    ['a misspelt setting', (p: any) => (p.retentionDay = 30), 'stages.prod: Unrecognized key: "retentionDay"'],
    ['a missing region', (p: any) => delete p.region, 'stages.prod.region:'],
    [
      'a production stage without a stable public URL',
      (p: any) => delete p.customDomain,
      'stages.prod.publicBaseUrl: a production stage needs a stable public URL for the links in its emails: set customDomain (the stack creates the API domain) or publicBaseUrl',
    ],
    [
      'a production stage that does not state its reserved concurrency',
      (p: any) => delete p.reservedConcurrency,
      'stages.prod.reservedConcurrency: a production stage states the concurrency each handler reserves',
    ],
    [
      'a production stage that does not state its send-rate share',
      (p: any) => delete p.maxSendRate,
      "stages.prod.maxSendRate: a production stage states its share of SES's maximum send rate (emails per second)",
    ],
    ['a send rate of zero', (p: any) => (p.maxSendRate = 0), 'stages.prod.maxSendRate:'],
    [
      'a reservation for a handler that does not exist',
      (p: any) => (p.reservedConcurrency = { signup: 20, sign_up: 5 }),
      'stages.prod.reservedConcurrency: Unrecognized key: "sign_up"',
    ],
    [
      'a reservation of zero (which would stop the function)',
      (p: any) => (p.reservedConcurrency = { unsubscribe: 0 }),
      'stages.prod.reservedConcurrency.unsubscribe:',
    ],
    [
      'two dispatchers at once',
      (p: any) => (p.reservedConcurrency = { dispatch: 2 }),
      "stages.prod.reservedConcurrency.dispatch: must be 1 or left out: one dispatcher at a time keeps the stage's pace",
    ],
    [
      'workers without room for them all',
      (p: any) => {
        p.dispatchWorkers = 4;
        p.reservedConcurrency = { ...p.reservedConcurrency, dispatch: 1 };
      },
      'stages.prod.reservedConcurrency.dispatch: must be 5 (dispatchWorkers + 1: the scheduled run and its 4 workers) or left out',
    ],
    ['more workers than a stage may start', (p: any) => (p.dispatchWorkers = 65), 'stages.prod.dispatchWorkers:'],
    [
      'a worker rate under one email a second',
      (p: any) => (p.dispatchWorkerRate = 0.5),
      'stages.prod.dispatchWorkerRate:',
    ],
    [
      'a custom domain with both a certificate and a hosted zone',
      (p: any) =>
        (p.customDomain.certificateArn =
          'arn:aws:acm:us-east-1:210987654321:certificate/5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'),
      'stages.prod.customDomain.certificateArn: set exactly one of certificateArn (a certificate that exists) and hostedZone',
    ],
    [
      'a custom domain with neither a certificate nor a hosted zone',
      (p: any) => delete p.customDomain.hostedZone,
      'stages.prod.customDomain.certificateArn: set exactly one of certificateArn',
    ],
    [
      'a custom domain outside its hosted zone',
      (p: any) => (p.customDomain.domainName = 'api.another-clinic.com'),
      `stages.prod.customDomain.domainName: must be ${prodFixture.customDomain.hostedZone.name} or a name under it`,
    ],
    [
      "a certificate outside the stage's region",
      (p: any) => {
        delete p.customDomain.hostedZone;
        p.customDomain.certificateArn =
          'arn:aws:acm:eu-west-1:210987654321:certificate/5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
      },
      "stages.prod.customDomain.certificateArn: must be a certificate in us-east-1, the stage's region",
    ],
    [
      'a certificate ARN that is not one',
      (p: any) => {
        delete p.customDomain.hostedZone;
        p.customDomain.certificateArn = 'arn:aws:iam::210987654321:server-certificate/api';
      },
      'stages.prod.customDomain.certificateArn: must be an ACM certificate ARN',
    ],
    [
      'a publicBaseUrl other than the custom domain',
      (p: any) => (p.publicBaseUrl = 'https://links.nurture-fixture-clinic.com'),
      `stages.prod.publicBaseUrl: must be https://${prodFixture.customDomain.domainName} (customDomain.domainName), or left out`,
    ],
  ])('%s is refused, naming the field', (_, change, message) => {
    expect(problem(withProd(change))).toContain(message);
  });

  it('a stage that splits runs across N workers reserves N + 1 for the dispatcher, or nothing', () => {
    const reserving = (dispatch: number | undefined) =>
      problem(
        withProd((p) => {
          p.dispatchWorkers = 4;
          p.reservedConcurrency = { ...p.reservedConcurrency, dispatch };
          if (dispatch === undefined) delete p.reservedConcurrency.dispatch;
        }),
      );
    expect(reserving(5)).toBe('no error');
    expect(reserving(undefined)).toBe('no error');
    expect(reserving(6)).toContain('must be 5');
  });

  it('a production stage may instead give a publicBaseUrl made elsewhere, or reserve nothing with {}', () => {
    expect(
      problem(
        withProd((p) => {
          delete p.customDomain;
          p.publicBaseUrl = 'https://links.nurture-fixture-clinic.com';
          p.reservedConcurrency = {};
        }),
      ),
    ).toBe('no error');
  });

  it("a dev stage needs none of the three: nothing reserved, the execute-api URL, SES's own rate", () => {
    const stages = structuredClone(good) as Record<string, Record<string, any>>;
    delete stages.dev!.maxSendRate;
    expect(stages.dev!.reservedConcurrency).toBeUndefined();
    expect(stages.dev!.customDomain).toBeUndefined();
    expect(problem({ stages })).toBe('no error');
  });

  it('a bad value stops the synth before any stack is built, naming the field', () => {
    const context = { ...testContext, nurture: withProd((p) => (p.email.replyTo = 'front desk')) };
    expect(() => buildApp({ context })).toThrow(
      /Invalid stage configuration in cdk\.json[\s\S]*stages\.prod\.email\.replyTo/,
    );
  });
});

describe('reserved concurrency, as the preflight compares it with the account quota', () => {
  it("is the sum of the stage's reservations: 43 in cdk.json's prod, none in its dev", () => {
    const { stages } = readStages(cdkContext.nurture);
    expect(reservedConcurrencyTotal(stages.prod!)).toBe(43);
    expect(reservedConcurrencyTotal(stages.dev!)).toBe(0);
  });

  it('counts only the handlers a stage names', () => {
    const stages = parseStages(withProd((p) => (p.reservedConcurrency = { signup: 3, dispatch: 1 })));
    expect(reservedConcurrencyTotal(stages.prod!)).toBe(4);
    expect(reservedConcurrencyTotal({ ...stages.prod!, reservedConcurrency: {} })).toBe(0);
  });
});

describe('placeholders in a production stage', () => {
  /** The fields of cdk.json's prod stage, as committed, that still hold placeholders. */
  const committedPlaceholders = [
    'clinic.postalAddress.0',
    'clinic.phone',
    'clinic.website',
    'clinic.bookingUrl',
    'clinic.costUrl',
    'email.senderDomain',
    'email.fromAddress',
    'email.replyTo',
    'customDomain.domainName',
    'customDomain.certificateArn',
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
      'an API domain under the reserved .example',
      (p: any) =>
        (p.customDomain = {
          domainName: 'api.clinic.example',
          hostedZone: { id: 'Z0123456789ABCDEFGHIJ', name: 'clinic.example' },
        }),
      'stages.prod.customDomain.domainName: looks like a placeholder ("api.clinic.example"): set the API\'s own domain',
    ],
    [
      'a certificate in the account id AWS documents use',
      (p: any) =>
        (p.customDomain = {
          domainName: 'api.nurture-fixture-clinic.com',
          certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        }),
      'stages.prod.customDomain.certificateArn: looks like a placeholder ("arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"): set the ARN of the ACM certificate',
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
