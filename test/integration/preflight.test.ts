/**
 * `npm run preflight` against a fake AWS (test/support/fake-aws.ts): the real SDK clients, pointed at it with
 * AWS_ENDPOINT_URL as an operator's environment would point them at AWS, parse the wire formats AWS sends. No emulator
 * answers these calls (CloudFormation, SES's account and identity, Lambda's account settings, SNS), hence the fake.
 *
 * In process, each failing condition of the account gives its ✖ and fix and the exit code the CLI would use; as a
 * child process, `npx tsx local/preflight.ts --stage prod` prints the checklist and exits 0, 1 or 2.
 *
 * The stage is cdk.json's prod with made-up clinic details (test/infra/synth.ts' `testContext`), written to a temp
 * file and passed with `--config`: the committed prod stage holds placeholders, so it can only fail, and one test
 * runs it as committed to show that it does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readStages, reservedConcurrencyTotal } from '../../lib/config.ts';
import { PROJECT_ROOT } from '../../lib/nurture-function.ts';
import { preflightAws } from '../../local/preflight-aws.ts';
import { checklistText, exitCode, type CheckResult } from '../../local/preflight-checks.ts';
import { runPreflight } from '../../local/preflight-run.ts';
import { readyAccount, startFakeAws, type FakeAccountState, type FakeAws } from '../support/fake-aws.ts';
import { prodFixture, testContext } from '../infra/synth.ts';

const domain = prodFixture.email.senderDomain;
const alarmEmail = prodFixture.alarmEmails[0]!;
const ready = () => readyAccount({ name: 'prod', senderDomain: domain, alarmEmails: prodFixture.alarmEmails });
const prod = readStages(testContext.nurture).stages.prod!;

/** Everything the preflight may ask AWS: descriptions, gets and lists, nothing that changes the account. */
const READS = new Set([
  'CloudFormation:DescribeStacks',
  'SESv2:GetAccount',
  'SESv2:GetEmailIdentity',
  'Lambda:GetAccountSettings',
  'SNS:ListSubscriptionsByTopic',
]);

let fake: FakeAws;
let dir: string;
let config: string;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAws(ready());
  dir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
  config = path.join(dir, 'cdk.json');
  writeFileSync(config, JSON.stringify({ app: 'npx tsx bin/nurture.ts', context: testContext }, null, 2));
  // What an operator's shell holds, with the fake as the endpoint: the SDK reads these itself.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: fake.url,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = saved;
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.state = ready();
  fake.requests.length = 0;
});

/** The preflight in this process, on the account `change` makes of a ready one. */
async function preflight(change: (account: FakeAccountState) => void = () => {}) {
  change(fake.state);
  const aws = preflightAws(prod.region);
  try {
    const results = await runPreflight('prod', prod, [], aws);
    return { results, code: exitCode(results), text: checklistText(results, 'Preflight of stage prod') };
  } finally {
    aws.close();
  }
}

const line = (results: CheckResult[], title: string) => {
  const found = results.find((r) => r.title === title);
  if (!found) throw new Error(`no "${title}" line in ${results.map((r) => r.title).join(', ')}`);
  return found;
};
const fixOf = (result: CheckResult) => (result.fix ?? []).join('\n');

describe('a fully ready account', () => {
  it('passes every check, exit 0', async () => {
    const { results, code, text } = await preflight();
    expect(results.map((r) => `${r.status} ${r.title}`)).toEqual([
      'pass Stage settings',
      'pass CDK bootstrap',
      'pass Lambda concurrency',
      'pass SES account',
      'pass SES send quota',
      'pass Sender identity',
      'pass Alarm email',
    ]);
    expect(code).toBe(0);
    expect(text).toContain(
      `✔ SES send quota: 50,000 a day, 14 a second; 0 sent in the last 24 hours; the stage's maxSendRate is ${prod.maxSendRate} a second`,
    );
    expect(text).toContain(`✔ Alarm email: ${alarmEmail} confirmed on the alarm topic`);
    expect(text.endsWith('Ready: 7 passed.')).toBe(true);
  });

  it('only reads: every request was a describe, get or list', async () => {
    await preflight();
    expect(fake.requests.length).toBe(6); // two stacks, the SES account and identity, Lambda, one page of the topic
    expect(fake.requests.filter((request) => !READS.has(request))).toEqual([]);
  });
});

describe('each thing that is not ready fails with its fix, and exit 1', () => {
  it('not bootstrapped', async () => {
    const { results, code } = await preflight((a) => delete a.stacks.CDKToolkit);
    const result = line(results, 'CDK bootstrap');
    expect(result).toMatchObject({ status: 'fail', detail: 'no CDKToolkit stack in us-east-1' });
    expect(fixOf(result)).toContain('npx cdk bootstrap aws://<account-id>/us-east-1');
    expect(code).toBe(1);
  });

  it('a bootstrap whose first create rolled back', async () => {
    const { results, code } = await preflight((a) => (a.stacks.CDKToolkit!.status = 'ROLLBACK_COMPLETE'));
    expect(line(results, 'CDK bootstrap')).toMatchObject({
      status: 'fail',
      detail: 'CDKToolkit is ROLLBACK_COMPLETE: the first bootstrap failed, the stack is not usable',
    });
    expect(code).toBe(1);
  });

  it('DKIM pending: the three CNAME records SES gave, to add to the domain', async () => {
    const { results, code } = await preflight((a) => {
      Object.assign(a.identities[domain]!, { verifiedForSending: false, verificationStatus: 'PENDING' });
      a.identities[domain]!.dkim.status = 'PENDING';
    });
    const result = line(results, 'Sender identity');
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(`${domain}: not verified for sending (PENDING), DKIM PENDING`);
    for (const token of fake.state.identities[domain]!.dkim.tokens)
      expect(fixOf(result)).toContain(`${token}._domainkey.${domain} CNAME ${token}.dkim.amazonses.com`);
    expect(code).toBe(1);
  });

  it('the SES sandbox: request production access', async () => {
    const { results, code } = await preflight((a) =>
      Object.assign(a.ses, { productionAccessEnabled: false, max24HourSend: 200, maxSendRate: 1 }),
    );
    const result = line(results, 'SES account');
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('in the sandbox in us-east-1 (only verified recipients, 200 a day, 1 a second)');
    expect(fixOf(result)).toContain('Request production access');
    expect(line(results, 'SES send quota').detail).toMatch(/^200 a day, 1 a second;/);
    expect(code).toBe(1);
  });

  it('a production access request under review names its case', async () => {
    const { results } = await preflight((a) => {
      a.ses.productionAccessEnabled = false;
      a.ses.review = { status: 'PENDING', caseId: '17345678901' };
    });
    expect(fixOf(line(results, 'SES account'))).toContain('under review (case 17345678901)');
  });

  it('sending paused', async () => {
    const { results, code } = await preflight((a) => (a.ses.sendingEnabled = false));
    expect(line(results, 'SES account')).toMatchObject({
      status: 'fail',
      detail: 'sending is paused for the account in us-east-1',
    });
    expect(code).toBe(1);
  });

  it("SES's rate below the stage's maxSendRate", async () => {
    const { results, code } = await preflight((a) => (a.ses.maxSendRate = 10));
    const result = line(results, 'SES send quota');
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(`the stage's maxSendRate is ${prod.maxSendRate} a second, more than SES allows`);
    expect(fixOf(result)).toContain('lower maxSendRate to at most 10');
    expect(code).toBe(1);
  });

  it('the daily quota used up', async () => {
    const { results, code } = await preflight((a) => (a.ses.sentLast24Hours = a.ses.max24HourSend));
    expect(line(results, 'SES send quota').detail).toContain('the quota is used up');
    expect(code).toBe(1);
  });

  it("a new account's Lambda concurrency of 10, before the first deploy", async () => {
    const { results, code } = await preflight((a) => {
      a.lambda = { concurrentExecutions: 10, unreservedConcurrentExecutions: 10 };
      delete a.stacks['nurture-prod'];
    });
    const result = line(results, 'Lambda concurrency');
    expect(result.status).toBe('fail');
    // What cdk.json's prod stage reserves (43 as committed): the account needs that plus the 100 Lambda keeps.
    const reserved = reservedConcurrencyTotal(prod);
    expect(reserved).toBeGreaterThan(0);
    expect(result.detail).toContain(`the stage reserves ${reserved}, leaving ${10 - reserved}`);
    expect(fixOf(result)).toContain(`ask for an account concurrency of at least ${reserved + 100}`);
    expect(code).toBe(1);
  });

  it('an alarm address that has not confirmed its subscription', async () => {
    const { results, code } = await preflight((a) => (Object.values(a.topics)[0]![0]!.confirmed = false));
    const result = line(results, 'Alarm email');
    expect(result.detail).toBe(`${alarmEmail} has not confirmed its subscription to the alarm topic`);
    expect(fixOf(result)).toContain('Confirm subscription');
    expect(code).toBe(1);
  });
});

describe('what cannot be checked yet', () => {
  it('a new account ready for its first deploy passes, the identity and alarms skipped until then', async () => {
    const { results, code, text } = await preflight((a) => {
      delete a.stacks['nurture-prod'];
      a.identities = {};
      a.topics = {};
      a.lambda.unreservedConcurrentExecutions = 1000;
    });
    expect(line(results, 'Sender identity')).toMatchObject({ status: 'skip' });
    expect(line(results, 'Sender identity').detail).toContain('deploy first, the stack creates the identity');
    expect(line(results, 'Alarm email').detail).toBe('nurture-prod is not deployed yet: run after the first deploy');
    expect(text).toContain('– Alarm email: nurture-prod is not deployed yet: run after the first deploy');
    expect(code).toBe(0);
  });

  it('follows the subscription list across pages', async () => {
    const { results } = await preflight((a) => {
      a.subscriptionsPageSize = 2;
      const topic = Object.values(a.topics)[0]!;
      // The alarm address comes last, on the third page.
      topic.unshift(
        ...['a', 'b', 'c', 'd'].map((n) => ({ protocol: 'sqs', endpoint: `arn:aws:sqs:::${n}`, confirmed: true })),
      );
    });
    expect(line(results, 'Alarm email').status).toBe('pass');
    expect(fake.requests.filter((r) => r === 'SNS:ListSubscriptionsByTopic')).toHaveLength(3);
  });
});

describe('npx tsx local/preflight.ts, as a person runs it', () => {
  function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'npx',
        ['tsx', 'local/preflight.ts', ...args],
        { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  }
  const noStackTrace = (output: string) => expect(output).not.toMatch(/^\s+at .+[(:]/m);

  it('prints the checklist for a ready account and exits 0', async () => {
    const { code, stdout, stderr } = await cli(['--stage', 'prod', '--config', config]);
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Preflight of stage prod (us-east-1), settings from ${config}`);
    expect(lines.slice(1, 8).map((l) => l.slice(0, 2))).toEqual(Array(7).fill('✔ '));
    expect(lines.at(-1)).toBe('Ready: 7 passed.');
    noStackTrace(stderr);
  }, 60_000);

  it('prints each failure with its fix and exits 1', async () => {
    fake.state.ses.productionAccessEnabled = false;
    fake.state.identities[domain]!.dkim.status = 'PENDING';
    const { code, stdout } = await cli(['--stage', 'prod', '--config', config]);
    expect(code).toBe(1);
    expect(stdout).toContain('✖ SES account: in the sandbox in us-east-1');
    expect(stdout).toContain('    fix: request production access');
    expect(stdout).toContain(`✖ Sender identity: ${domain}: verified for sending, DKIM PENDING`);
    expect(stdout).toContain('    fix: add these DNS records');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('Not ready: 2 of 7 checks failed.');
  }, 60_000);

  it("the committed cdk.json's prod stage fails on its placeholders", async () => {
    const { code, stdout } = await cli(['--stage', 'prod']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^✖ Stage settings: stages\.prod still has \d+ placeholder values/m);
    expect(stdout).toContain('stages.prod.clinic.phone: looks like a placeholder ("+1 (478) 555-0100")');
  }, 60_000);

  it('--json gives the same checks to a program', async () => {
    const { code, stdout } = await cli(['--stage', 'prod', '--config', config, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { ready: boolean; region: string; checks: CheckResult[] };
    expect(report.ready).toBe(true);
    expect(report.region).toBe('us-east-1');
    expect(report.checks.map((c) => c.status)).toEqual(Array(7).fill('pass'));
  }, 60_000);

  it('without credentials, one line says so', async () => {
    const none = path.join(dir, 'no-such-file');
    const { code, stdout } = await cli(['--stage', 'prod', '--config', config], {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      // Nowhere else to find any: no shared files, no instance metadata.
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(code).toBe(1);
    expect(stdout).toContain('✖ AWS credentials: none found');
    expect(stdout).toContain('fix: set AWS credentials for the account');
    expect(fake.requests).toEqual([]);
  }, 60_000);
});
