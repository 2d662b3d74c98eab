/**
 * `npm run admin-user` against fakes, not AWS: CloudFormation's DescribeStacks from test/support/fake-aws.ts (the
 * preflight's fake) and Cognito's AdminCreateUser, ListUsers and AdminDeleteUser from test/support/fake-cognito.ts.
 * The real SDK clients, pointed at them with AWS_ENDPOINT_URL_CLOUDFORMATION and
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER as an operator's environment would point them at AWS, parse the wire
 * formats AWS sends. No emulator here runs Cognito, hence the fake: it shows what the command asks for and how it
 * reads the answers, not that Cognito sends the invitation (AWS documents that AdminCreateUser does).
 *
 * In process for each outcome; as a child process for the exit codes and what a person sees.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminUserAws } from '../../../local/admin-user-aws.ts';
import { runAdminUser, type AdminUserAction } from '../../../local/admin-user-run.ts';
import { startFakeCognito, type FakeCognito } from '../../support/fake-cognito.ts';
import { readyAccount, startFakeAws, type FakeAws } from '../../support/fake-aws.ts';

const run = promisify(execFile);
const POOL = 'us-east-1_Fake7Report';
const REPORT_URL = 'https://api.nurture-fixture-clinic.com/admin';
const MARIA = 'maria@nurture-fixture-clinic.com';

let aws: FakeAws;
let cognito: FakeCognito;
let dir: string;
let config: string;
const saved = { ...process.env };

const deployedAccount = () => {
  const account = readyAccount({ name: 'prod', senderDomain: 'nurture-fixture-clinic.com', alarmEmails: [] });
  account.stacks['nurture-prod']!.outputs = { ReportUserPoolId: POOL, ReportUrl: REPORT_URL };
  return account;
};

beforeAll(async () => {
  aws = await startFakeAws(deployedAccount());
  cognito = await startFakeCognito([POOL]);
  dir = mkdtempSync(path.join(tmpdir(), 'admin-user-'));
  config = path.join(dir, 'cdk.json');
  writeFileSync(config, JSON.stringify({ context: { nurture: { stages: { prod: { region: 'us-east-1' } } } } }));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDFORMATION: aws.url,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.url,
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = saved;
  await aws?.close();
  await cognito?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  aws.state = deployedAccount();
  cognito.pools[POOL]!.clear();
  cognito.requests.length = 0;
  cognito.pageSize = 60;
});

async function adminUser(request: AdminUserAction, stage = 'prod') {
  const client = adminUserAws('us-east-1');
  try {
    return await runAdminUser(stage, request, client);
  } finally {
    client.close();
  }
}

describe('add', () => {
  it("creates the user in the stage's pool, which makes Cognito email the invitation, and says where to sign in", async () => {
    const result = await adminUser({ action: 'add', email: MARIA, resend: false });
    expect(result.code).toBe(0);
    expect(cognito.requests).toEqual([`AdminCreateUser ${POOL}`]);
    expect(cognito.pools[POOL]!.get(MARIA)).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD', invitations: 1 });
    expect(result.lines.join('\n')).toBe(
      [
        `Invited: ${MARIA} (stage prod, user pool ${POOL}).`,
        'Cognito has emailed them a temporary password, which works for 7 days.',
        `They sign in at ${REPORT_URL}, choose a password, and set up an authenticator app.`,
      ].join('\n'),
    );
  });

  it('refuses an address that is already a user, and --resend emails the invitation again', async () => {
    await adminUser({ action: 'add', email: MARIA, resend: false });
    const again = await adminUser({ action: 'add', email: MARIA, resend: false });
    expect(again).toMatchObject({
      code: 1,
      lines: [expect.stringContaining(`${MARIA} is already a user; add --resend`)],
    });
    const resent = await adminUser({ action: 'add', email: MARIA, resend: true });
    expect(resent.code).toBe(0);
    expect(resent.lines[0]).toMatch(/^Invited again:/);
    expect(cognito.pools[POOL]!.get(MARIA)!.invitations).toBe(2);
  });

  it('--resend to someone who has signed in already, or who is not a user: refused, saying why', async () => {
    expect((await adminUser({ action: 'add', email: MARIA, resend: true })).lines[0]).toContain(
      `${MARIA} is not a user yet: leave out --resend`,
    );
    await adminUser({ action: 'add', email: MARIA, resend: false });
    cognito.pools[POOL]!.get(MARIA)!.status = 'CONFIRMED';
    expect((await adminUser({ action: 'add', email: MARIA, resend: true })).lines[0]).toContain(
      'has already signed in: there is no invitation to send again',
    );
  });
});

describe('list and remove', () => {
  it('list shows every user, page after page, and whether each has signed in', async () => {
    cognito.pageSize = 2;
    for (const name of ['cleo', 'ann', 'bob'])
      await adminUser({ action: 'add', email: `${name}@x.com`, resend: false });
    cognito.pools[POOL]!.get('bob@x.com')!.status = 'CONFIRMED';
    const result = await adminUser({ action: 'list' });
    expect(cognito.requests.filter((r) => r.startsWith('ListUsers'))).toHaveLength(2);
    const today = new Date().toISOString().slice(0, 10);
    expect(result.lines).toEqual([
      `Users of the report in stage prod (user pool ${POOL}):`,
      'Email       Status                      Added',
      '----------  --------------------------  ----------',
      `ann@x.com   invited, not signed in yet  ${today}`,
      `bob@x.com   signed in before            ${today}`,
      `cleo@x.com  invited, not signed in yet  ${today}`,
    ]);
  });

  it('remove deletes the user; removing someone who is not a user is refused', async () => {
    await adminUser({ action: 'add', email: MARIA, resend: false });
    expect((await adminUser({ action: 'remove', email: MARIA })).code).toBe(0);
    expect(cognito.pools[POOL]!.has(MARIA)).toBe(false);
    expect(await adminUser({ action: 'remove', email: MARIA })).toMatchObject({
      code: 1,
      lines: [`admin-user: stage prod: ${MARIA} is not a user`],
    });
  });
});

describe('a stage that is not ready', () => {
  it('no stack: says to deploy first, and asks Cognito nothing', async () => {
    delete aws.state.stacks['nurture-prod'];
    expect(await adminUser({ action: 'list' })).toMatchObject({
      code: 1,
      lines: ['admin-user: stage prod: no stack nurture-prod in us-east-1: deploy the stage first (npx cdk deploy)'],
    });
    expect(cognito.requests).toEqual([]);
  });

  it('a stack deployed before the sign-in existed: says to deploy this version', async () => {
    aws.state.stacks['nurture-prod']!.outputs = {};
    expect((await adminUser({ action: 'list' })).lines[0]).toContain('has no ReportUserPoolId output');
  });
});

describe('the command', () => {
  const cli = (...args: string[]) =>
    run('node_modules/.bin/tsx', ['local/admin-user.ts', ...args, '--config', config], { env: process.env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('npm run admin-user -- add <email> --stage prod invites, prints what happens next, exit 0', async () => {
    const { code, stdout } = await cli('add', MARIA, '--stage', 'prod');
    expect(code).toBe(0);
    expect(stdout).toContain(`Invited: ${MARIA} (stage prod, user pool ${POOL}).`);
    expect(cognito.pools[POOL]!.has(MARIA)).toBe(true);
  });

  it('a refusal goes to stderr with exit 1; --json gives the same as JSON', async () => {
    await cli('add', MARIA, '--stage', 'prod');
    const refused = await cli('add', MARIA, '--stage', 'prod');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is already a user');
    const listed = await cli('list', '--stage', 'prod', '--json');
    expect(JSON.parse(listed.stdout)).toMatchObject({ ok: true, userPoolId: POOL, users: [{ email: MARIA }] });
  });

  it('--help prints the usage on stdout, exit 0, and asks AWS nothing', async () => {
    const { code, stdout, stderr } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout.startsWith('usage: npm run admin-user -- add EMAIL --stage NAME')).toBe(true);
    expect(stdout).toMatch(/-h, --help +show this help/);
    expect(stderr).toBe('');
    expect(cognito.requests).toEqual([]);
  });

  it.each([
    [['add', 'not-an-address', '--stage', 'prod'], 'admin-user: "not-an-address" is not an email address'],
    [['add', '--stage', 'prod'], 'admin-user: add needs an email address'],
    [['invite', MARIA, '--stage', 'prod'], 'admin-user: unknown action "invite": use add, list or remove'],
    [['list', '--stage', 'staging'], 'admin-user: --stage: "staging" is not a stage in'],
    [['list', '--stage', 'prod', '--resend'], 'admin-user: --resend goes with add'],
    [['list'], 'admin-user: missing --stage'],
  ])('%j: one line naming the problem, the usage, exit 2, and nothing asked of AWS', async (args, line) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toContain(line);
    expect(stderr).toContain('usage: npm run admin-user -- add EMAIL --stage NAME');
    expect(cognito.requests).toEqual([]);
  });
});
