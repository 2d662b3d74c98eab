/**
 * The preflight's checks, one rule at a time, on answers shaped as the adapter gives them: what an operator reads on
 * each line and the fix under a failure. The same checks run against the SDK and a fake AWS in
 * test/integration/preflight.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  accountOfArn,
  answer,
  checkAlarmSubscriptions,
  checkBootstrap,
  checkCredentials,
  checkDispatchWorkers,
  checkLambdaConcurrency,
  checklistText,
  checkPlaceholders,
  checkSenderIdentity,
  checkSendQuota,
  checkSesAccount,
  deployedStackName,
  dkimRecords,
  exitCode,
  failed,
  type CheckResult,
  type SesAccount,
  type StackAnswer,
  type Subscription,
} from '../../../local/preflight-checks.ts';
import { buildApp } from '../../../lib/app.ts';
import { testContext } from '../../infra/synth.ts';

const region = 'us-east-1';
const toolkitId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/CDKToolkit/1f2e3d4c-0000-11ef-8000-0a1b2c3d4e5f';
const toolkit = (status: string, version = '30') =>
  answer<StackAnswer>({ exists: true, status, stackId: toolkitId, outputs: { BootstrapVersion: version } });
const noCredentials = { name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' };
const fixText = (result: CheckResult) => (result.fix ?? []).join('\n');

describe('stage settings', () => {
  it('a production stage with placeholders fails, listing each field to set', () => {
    const lines = [
      'stages.prod.clinic.phone: looks like a placeholder ("+1 (478) 555-0100"): set the clinic\'s real phone number',
    ];
    const result = checkPlaceholders('prod', true, lines);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('stages.prod still has 1 placeholder value; cdk synth and cdk deploy refuse it');
    expect(result.fix).toEqual(['set each in cdk.json (context.nurture.stages.prod):', `  ${lines[0]}`]);
  });

  it('a production stage without placeholders passes; a dev stage is not checked', () => {
    expect(checkPlaceholders('prod', true, [])).toMatchObject({ status: 'pass' });
    expect(checkPlaceholders('dev', false)).toMatchObject({ status: 'skip' });
  });
});

describe('CDK bootstrap', () => {
  it('a complete CDKToolkit passes and names the account it found', () => {
    expect(checkBootstrap(toolkit('UPDATE_COMPLETE'), { region })).toEqual({
      status: 'pass',
      title: 'CDK bootstrap',
      detail: 'CDKToolkit UPDATE_COMPLETE, version 30 (account 123456789012, us-east-1)',
    });
    expect(checkBootstrap(toolkit('UPDATE_ROLLBACK_COMPLETE'), { region }).status).toBe('pass');
  });

  it('no CDKToolkit fails with the bootstrap command, with the stage account when it is set', () => {
    const missing = answer<StackAnswer>({ exists: false });
    expect(checkBootstrap(missing, { region, account: '210987654321' })).toMatchObject({
      status: 'fail',
      detail: 'no CDKToolkit stack in us-east-1',
      fix: ['npx cdk bootstrap aws://210987654321/us-east-1'],
    });
    expect(fixText(checkBootstrap(missing, { region }))).toBe(
      'npx cdk bootstrap aws://<account-id>/us-east-1 (`aws sts get-caller-identity` prints the account id)',
    );
  });

  it('a failed first bootstrap (ROLLBACK_COMPLETE) fails: delete it, then bootstrap again', () => {
    const result = checkBootstrap(toolkit('ROLLBACK_COMPLETE'), { region });
    expect(result.status).toBe('fail');
    expect(fixText(result)).toContain('aws cloudformation delete-stack --stack-name CDKToolkit');
    expect(fixText(result)).toContain('npx cdk bootstrap aws://<account-id>/us-east-1');
  });

  it('a bootstrap whose update failed and could not roll back fails', () => {
    const result = checkBootstrap(toolkit('UPDATE_ROLLBACK_FAILED'), { region });
    expect(result).toMatchObject({ status: 'fail', detail: 'CDKToolkit is UPDATE_ROLLBACK_FAILED: not usable' });
    expect(fixText(result)).not.toContain('delete-stack');
  });

  it('a bootstrap still running fails and says to wait', () => {
    expect(checkBootstrap(toolkit('UPDATE_IN_PROGRESS'), { region })).toMatchObject({
      status: 'fail',
      detail: 'CDKToolkit is UPDATE_IN_PROGRESS',
    });
  });

  it('a bootstrap older than version 6 fails: the templates need 6', () => {
    const result = checkBootstrap(toolkit('CREATE_COMPLETE', '4'), { region });
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      "CDKToolkit is version 4 (account 123456789012, us-east-1); CDK's templates need 6 or newer",
    );
  });

  it('credentials for another account than the stage names fail before anything is deployed there', () => {
    const result = checkBootstrap(toolkit('CREATE_COMPLETE'), { region, account: '210987654321' });
    expect(result).toMatchObject({
      status: 'fail',
      detail: 'these credentials are for account 123456789012, but the stage deploys to account 210987654321',
    });
  });

  it('no credentials: the call that failed and how to set them', () => {
    const result = checkBootstrap(failed(noCredentials), { region });
    expect(result.detail).toBe(
      'cloudformation:DescribeStacks failed: CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(fixText(result)).toContain('AWS_PROFILE');
  });

  it('access denied names the permission the preflight needs', () => {
    const denied = { name: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/ops is not authorized' };
    expect(fixText(checkBootstrap(failed(denied), { region }))).toMatch(
      /^allow the credentials cloudformation:DescribeStacks/,
    );
  });

  it('reads the account from a stack id', () => {
    expect(accountOfArn(toolkitId)).toBe('123456789012');
    expect(accountOfArn('not an arn')).toBeUndefined();
  });
});

describe('AWS credentials', () => {
  it('when every call failed for want of credentials: one line, not the same failure on every check', () => {
    const result = checkCredentials([failed(noCredentials), failed(noCredentials)]);
    expect(result).toMatchObject({
      status: 'fail',
      title: 'AWS credentials',
      detail: 'none found: Could not load credentials from any providers; nothing in the account could be checked',
    });
    expect(fixText(result!)).toContain('aws sso login');
  });

  it('says nothing when any call got an answer, or failed for another reason', () => {
    expect(checkCredentials([failed(noCredentials), answer({ exists: false })])).toBeUndefined();
    expect(
      checkCredentials([failed(noCredentials), failed({ name: 'TimeoutError', message: 'timed out' })]),
    ).toBeUndefined();
  });
});

describe('Lambda concurrency', () => {
  const limits = (total: number, unreserved: number) =>
    answer({ concurrentExecutions: total, unreservedConcurrentExecutions: unreserved });

  it('passes when 100 stay unreserved after the stage reserves its share', () => {
    expect(checkLambdaConcurrency(limits(1000, 1000), { reserved: 43, deployed: false })).toMatchObject({
      status: 'pass',
      detail: 'account limit 1,000, 1,000 unreserved; the stage reserves 43, leaving 957',
    });
    // Exactly 100 left is allowed ("at least 100").
    expect(checkLambdaConcurrency(limits(143, 143), { reserved: 43, deployed: false }).status).toBe('pass');
  });

  it('dispatcher workers: reserved, as the stage requires; unreserved, the pool must hold the run and its workers', () => {
    expect(checkDispatchWorkers(limits(1000, 1000), { workers: 4, reservedForDispatch: 5 })).toMatchObject({
      status: 'pass',
      detail: 'the dispatcher reserves 5: the scheduled run and its 4 workers',
    });
    expect(checkDispatchWorkers(limits(10, 10), { workers: 4 }).status).toBe('pass');
    const result = checkDispatchWorkers(limits(10, 4), { workers: 4 });
    expect(result).toMatchObject({
      status: 'fail',
      detail:
        "up to 5 dispatcher invocations at once (the scheduled run and 4 workers), from the account's 4 unreserved: Lambda would throttle the workers",
    });
    expect(fixText(result)).toContain('lower dispatchWorkers in cdk.json to at most 3');
  });

  it('a new account with a low limit fails, with the limit to ask for', () => {
    const result = checkLambdaConcurrency(limits(10, 10), { reserved: 43, deployed: false });
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'account limit 10, 10 unreserved; the stage reserves 43, leaving -33; Lambda keeps at least 100 unreserved, so the deploy would fail',
    );
    // 143 in all: 43 for the stage and 100 unreserved.
    expect(fixText(result)).toContain('ask for an account concurrency of at least 143');
    expect(fixText(result)).toContain('--quota-code L-B99A9384 --desired-value 143');
  });

  it('counts what other stacks already reserved', () => {
    // 1,000 in all, 900 reserved elsewhere: the stage's 43 would leave 57.
    const result = checkLambdaConcurrency(limits(1000, 100), { reserved: 43, deployed: false });
    expect(result.status).toBe('fail');
    expect(fixText(result)).toContain('at least 1,043');
  });

  it('a stage that reserves none needs nothing of a small quota', () => {
    expect(checkLambdaConcurrency(limits(10, 10), { reserved: 0, deployed: false })).toMatchObject({
      status: 'pass',
      detail: 'account limit 10, 10 unreserved; the stage reserves none',
    });
  });

  it("a deployed stage's reservations are already taken: a redeploy needs nothing more", () => {
    expect(checkLambdaConcurrency(limits(143, 100), { reserved: 43, deployed: true })).toMatchObject({
      status: 'pass',
      detail: "account limit 143, 100 unreserved with the deployed stage's 43 reserved",
    });
  });
});

describe('SES account', () => {
  const ses = (change: Partial<SesAccount> = {}) =>
    answer<SesAccount>({
      productionAccessEnabled: true,
      sendingEnabled: true,
      enforcementStatus: 'HEALTHY',
      sendQuota: { max24HourSend: 50_000, maxSendRate: 14, sentLast24Hours: 120 },
      ...change,
    });

  it('production access, sending enabled and a healthy account pass', () => {
    expect(checkSesAccount(ses(), { region })).toMatchObject({
      status: 'pass',
      detail: 'production access, sending enabled, enforcement status HEALTHY',
    });
  });

  it('the sandbox fails, with how to request production access', () => {
    const result = checkSesAccount(ses({ productionAccessEnabled: false }), { region });
    expect(result.detail).toBe('in the sandbox in us-east-1 (only verified recipients, 200 a day, 1 a second)');
    expect(fixText(result)).toContain('Account dashboard → Request production access');
    expect(fixText(result)).toContain('aws sesv2 put-account-details --production-access-enabled');
    expect(
      fixText(checkSesAccount(ses({ productionAccessEnabled: false }), { region, website: 'https://clinic.com' })),
    ).toContain('--mail-type MARKETING --website-url https://clinic.com');
  });

  it('a request under review says to wait; a denied one points at the case', () => {
    const pending = checkSesAccount(
      ses({ productionAccessEnabled: false, review: { status: 'PENDING', caseId: '17345678901' } }),
      { region },
    );
    expect(fixText(pending)).toBe(
      "a production access request is under review (case 17345678901): wait for AWS's answer, then run again",
    );
    const denied = checkSesAccount(
      ses({ productionAccessEnabled: false, review: { status: 'DENIED', caseId: '17345678901' } }),
      { region },
    );
    expect(fixText(denied)).toContain('was denied (case 17345678901)');
  });

  it('paused sending fails with the command that resumes it', () => {
    const result = checkSesAccount(ses({ sendingEnabled: false }), { region });
    expect(result).toMatchObject({ status: 'fail', detail: 'sending is paused for the account in us-east-1' });
    expect(fixText(result)).toContain('aws sesv2 put-account-sending-attributes --sending-enabled --region us-east-1');
  });

  it('an account AWS shut down fails; one on probation is a warning', () => {
    const shutdown = checkSesAccount(ses({ sendingEnabled: false, enforcementStatus: 'SHUTDOWN' }), { region });
    expect(shutdown.status).toBe('fail');
    expect(shutdown.detail).toContain('enforcement status SHUTDOWN');
    expect(checkSesAccount(ses({ enforcementStatus: 'PROBATION' }), { region }).status).toBe('warn');
  });

  it('the send quota is printed, and passes', () => {
    expect(checkSendQuota(ses())).toMatchObject({
      status: 'pass',
      detail:
        "50,000 a day, 14 a second; 120 sent in the last 24 hours; the stage sets no maxSendRate: the dispatcher paces at SES's rate",
    });
  });

  it('a used-up quota fails', () => {
    const result = checkSendQuota(ses({ sendQuota: { max24HourSend: 200, maxSendRate: 1, sentLast24Hours: 200 } }));
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('the quota is used up');
  });

  it("a stage rate above SES's fails; at or below it passes", () => {
    const faster = checkSendQuota(ses(), 20);
    expect(faster.status).toBe('fail');
    expect(faster.detail).toContain("the stage's maxSendRate is 20 a second, more than SES allows");
    expect(fixText(faster)).toContain('lower maxSendRate to at most 14');
    expect(checkSendQuota(ses(), 14).status).toBe('pass');
  });

  it("in the sandbox the rate is not compared with the stage's: production access raises it", () => {
    const sandbox = ses({
      productionAccessEnabled: false,
      sendQuota: { max24HourSend: 200, maxSendRate: 1, sentLast24Hours: 0 },
    });
    expect(checkSendQuota(sandbox, 13)).toMatchObject({
      status: 'skip',
      detail:
        "200 a day, 1 a second; 0 sent in the last 24 hours; the sandbox's rate: compared with the stage's maxSendRate (13 a second) once production access is granted",
    });
  });

  it('-1 is no daily limit', () => {
    const result = checkSendQuota(ses({ sendQuota: { max24HourSend: -1, maxSendRate: 100, sentLast24Hours: 9 } }));
    expect(result).toMatchObject({ status: 'pass' });
    expect(result.detail).toMatch(/^no daily limit, 100 a second/);
  });
});

describe('sender identity', () => {
  const domain = 'nurture-fixture-clinic.com';
  const stage = { domain, existingIdentity: false, deployed: true, region };
  const tokens = ['abc123', 'def456', 'ghi789'];
  const identity = (dkimStatus: string, verifiedForSending = dkimStatus === 'SUCCESS') =>
    answer({
      exists: true as const,
      verifiedForSending,
      verificationStatus: dkimStatus,
      dkimStatus,
      dkimTokens: tokens,
      dkimOrigin: 'AWS_SES',
    });

  it('verified with DKIM passes', () => {
    expect(checkSenderIdentity(identity('SUCCESS'), stage)).toMatchObject({
      status: 'pass',
      detail: 'nurture-fixture-clinic.com: verified for sending, DKIM SUCCESS',
    });
  });

  it('DKIM pending fails and names the three CNAME records to add', () => {
    const result = checkSenderIdentity(identity('PENDING'), stage);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('nurture-fixture-clinic.com: not verified for sending (PENDING), DKIM PENDING');
    expect(result.fix).toEqual([
      'add these DNS records to nurture-fixture-clinic.com:',
      '  abc123._domainkey.nurture-fixture-clinic.com CNAME abc123.dkim.amazonses.com',
      '  def456._domainkey.nurture-fixture-clinic.com CNAME def456.dkim.amazonses.com',
      '  ghi789._domainkey.nurture-fixture-clinic.com CNAME ghi789.dkim.amazonses.com',
      'SES checks the records by itself (it can take up to 72 hours); run the preflight again later',
    ]);
  });

  it('DKIM failed after 72 hours says to start verification again', () => {
    expect(fixText(checkSenderIdentity(identity('FAILED'), stage))).toContain('SES gave up after 72 hours');
  });

  it('before the first deploy a missing identity is skipped: the stack creates it', () => {
    const result = checkSenderIdentity(answer({ exists: false as const }), { ...stage, deployed: false });
    expect(result.status).toBe('skip');
    expect(result.detail).toContain('deploy first, the stack creates the identity');
  });

  it('a missing identity fails when the stage says it exists, or when the stack is deployed', () => {
    const existing = checkSenderIdentity(answer({ exists: false as const }), {
      ...stage,
      existingIdentity: true,
      deployed: false,
    });
    expect(existing.status).toBe('fail');
    expect(fixText(existing)).toContain('or set email.existingIdentity to false so the stack creates it');
    expect(checkSenderIdentity(answer({ exists: false as const }), stage).status).toBe('fail');
  });

  it('the Easy DKIM record format', () => {
    expect(dkimRecords('clinic.com', ['tok'])).toEqual(['tok._domainkey.clinic.com CNAME tok.dkim.amazonses.com']);
  });
});

describe('alarm email', () => {
  const topic = 'arn:aws:sns:us-east-1:123456789012:nurture-prod-AlarmTopic-1A2B3C';
  const stack = answer<StackAnswer>({
    exists: true,
    status: 'UPDATE_COMPLETE',
    stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/nurture-prod/x',
    outputs: { AlarmTopicArn: topic },
  });
  const stage = { stackName: 'nurture-prod', alarmEmails: ['ops@clinic.com', 'oncall@clinic.com'] };
  const email = (endpoint: string, confirmed: boolean): Subscription => ({
    protocol: 'email',
    endpoint,
    subscriptionArn: confirmed ? `${topic}:0b1c2d3e` : 'PendingConfirmation',
  });

  it('every alarm address confirmed passes (addresses compared without case)', () => {
    const subs = answer([email('ops@clinic.com', true), email('OnCall@Clinic.com', true)]);
    expect(checkAlarmSubscriptions(stack, subs, stage)).toMatchObject({
      status: 'pass',
      detail: 'all 2 addresses confirmed on the alarm topic',
    });
  });

  it('PendingConfirmation fails: confirm the email, or subscribe again for a new link', () => {
    const subs = answer([email('ops@clinic.com', true), email('oncall@clinic.com', false)]);
    const result = checkAlarmSubscriptions(stack, subs, stage);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('of 2 alarm addresses, 1 not confirmed (oncall@clinic.com)');
    expect(fixText(result)).toContain('"AWS Notification - Subscription Confirmation"');
    expect(fixText(result)).toContain(
      `aws sns subscribe --topic-arn ${topic} --protocol email --notification-endpoint oncall@clinic.com`,
    );
  });

  it('an address with no subscription at all fails too', () => {
    const result = checkAlarmSubscriptions(stack, answer([email('ops@clinic.com', true)]), stage);
    expect(result.detail).toBe('of 2 alarm addresses, 1 not subscribed (oncall@clinic.com)');
  });

  it('not deployed yet: skipped, run after the first deploy', () => {
    expect(checkAlarmSubscriptions(answer<StackAnswer>({ exists: false }), undefined, stage)).toMatchObject({
      status: 'skip',
      detail: 'nurture-prod is not deployed yet: run after the first deploy',
    });
  });

  it('a stage without alarm addresses is a warning', () => {
    const result = checkAlarmSubscriptions(stack, answer([]), { ...stage, alarmEmails: [] });
    expect(result.status).toBe('warn');
  });
});

describe('the checklist', () => {
  const results: CheckResult[] = [
    { status: 'pass', title: 'CDK bootstrap', detail: 'CDKToolkit CREATE_COMPLETE' },
    { status: 'fail', title: 'SES account', detail: 'in the sandbox', fix: ['request production access', 'then wait'] },
    { status: 'skip', title: 'Alarm email', detail: 'not deployed yet' },
  ];

  it('one line per check, the fix indented under a failure, and a summary', () => {
    expect(checklistText(results, 'Preflight of stage prod')).toBe(
      [
        'Preflight of stage prod',
        '✔ CDK bootstrap: CDKToolkit CREATE_COMPLETE',
        '✖ SES account: in the sandbox',
        '    fix: request production access',
        '         then wait',
        '– Alarm email: not deployed yet',
        '',
        'Not ready: 1 of 3 checks failed.',
      ].join('\n'),
    );
  });

  it('exit code 1 when any check failed, 0 when none did (skips and warnings pass)', () => {
    expect(exitCode(results)).toBe(1);
    expect(exitCode(results.filter((r) => r.status !== 'fail'))).toBe(0);
  });

  it('asks CloudFormation for the stack name the app deploys each stage as', () => {
    const { stacks } = buildApp({ context: { ...testContext, 'aws:cdk:bundling-stacks': [] } });
    for (const [stage, stack] of Object.entries(stacks)) expect(stack.stackName).toBe(deployedStackName(stage));
  }, 60_000);
});
