/**
 * The privacy check itself (test/support/privacy.ts, run after every test file by privacy-setup.ts) must be able
 * to fail: these tests leak on purpose through the real logger, console and SES client, see it caught, and then
 * take the deliberate leak back out so this file still passes the check. The last one proves enforcement: a test
 * file that leaks, run by a child vitest with npm test's setup files, fails.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { sesClient } from '../../lambdas/adapters/clients.ts';
import { logger } from '../../lambdas/adapters/log.ts';
import { composeMime } from '../../lambdas/adapters/ses-mailer.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { findLeaks, forwardChildOutput, installCapture } from '../support/privacy.ts';
import { httpEvent, testEnv, uniqueEmail } from './harness.ts';

const capture = installCapture();
const env = await testEnv();
let deliberate: string;

/** A test file's result in vitest's JSON report. */
type FileResult = { name: string; status: string; message: string; assertionResults: { status: string }[] };

/** Take this test's deliberate leak out of what the file-level check will read. */
afterEach(() => {
  const kept = capture.captured.filter((line) => !line.text.includes(deliberate));
  capture.captured.splice(0, capture.captured.length, ...kept);
});

describe('the privacy check', () => {
  it("catches a lead's email, name, phone and interest leaked into a log line, the console and an SES tag", async () => {
    deliberate = `deliberate-${Date.now()}`;
    const email = uniqueEmail('leaky');
    const signup = await makeSignupHandler(env)(
      httpEvent('POST', '/signup', {
        body: {
          email,
          firstName: 'Philippa',
          lastName: 'Quennell',
          phone: '+1 (555) 010-4477',
          interest: 'refractory-migraine',
          consent: true,
        },
      }),
    );
    expect(signup.statusCode).toBe(201);
    expect(capture.leaks()).toEqual([]); // sign-up and the welcome send themselves leak nothing

    logger.info(deliberate, { email });
    console.warn(deliberate, 'Quennell');
    const raw = await composeMime(
      {
        to: { address: email, name: 'x' },
        subject: 's',
        html: '<p>x</p>',
        text: 'x',
        unsubscribeUrl: 'https://x.example/u',
        class: 'marketing',
      },
      { from: { name: 'c', address: 'c@example.com' }, replyTo: 'r@example.com' },
    );
    await sesClient(env.config).send(
      new SendRawEmailCommand({
        RawMessage: { Data: raw },
        Tags: [
          { Name: 'leak', Value: `${deliberate}-15550104477` },
          { Name: 'interest', Value: `${deliberate}.refractory-migraine` },
        ],
      }),
    );

    const leaks = capture.leaks().map(({ field, source }) => `${field} in ${source}`);
    expect(leaks).toEqual(
      expect.arrayContaining(['email in stdout', 'lastName in console', 'phone in ses-tag', 'interest in ses-tag']),
    );
  });

  it("catches a lead's email in the output of a child process whose output is passed through", async () => {
    deliberate = `deliberate-${Date.now()}`;
    const email = uniqueEmail('child-leak');
    expect(
      (
        await makeSignupHandler(env)(
          httpEvent('POST', '/signup', { body: { email, firstName: 'Philippa', consent: true } }),
        )
      ).statusCode,
    ).toBe(201);
    const child = spawn(
      process.execPath,
      ['-e', 'console.log(process.argv[1]); console.error(process.argv[1])', `${deliberate} ${email}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await forwardChildOutput(child);
    expect(capture.leaks().map(({ field, source }) => `${field} in ${source}`)).toEqual([
      'email in stdout',
      'email in stderr',
    ]);
  });

  it('fails a test file that leaks: a child vitest with the setup files of npm test fails test/fixtures/privacy/leaky.fixture.ts with the privacy message, and passes its clean twin', async () => {
    deliberate = 'never-captured';
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const dir = await mkdtemp(join(tmpdir(), 'nurture-privacy-'));
    const outputFile = join(dir, 'report.json');
    // Not this run's own worker settings: the child is a vitest run of its own.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        'test/fixtures/privacy/vitest.config.ts',
        '--reporter=json',
        `--outputFile=${outputFile}`,
      ],
      {
        cwd: root,
        env: {
          ...env,
          NURTURE_FIXTURE_DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
          NURTURE_FIXTURE_SES_ENDPOINT: inject('sesEndpoint'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Kept in memory, not passed through: it holds the leaks. Shown only if the child wrote no report.
    let output = '';
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const [code] = await once(child, 'exit');
    const report = await readFile(outputFile, 'utf8').then(
      (text) => JSON.parse(text) as { testResults: FileResult[] },
      () => undefined,
    );
    await rm(dir, { recursive: true, force: true });

    expect(report, `the child run wrote no report:\n${output.slice(-2000)}`).toBeDefined();
    expect(code, 'the child run fails').toBe(1);
    const file = (name: string) =>
      report!.testResults.find((result) => result.name.endsWith(`/test/fixtures/privacy/${name}`));
    expect(file('clean.fixture.ts')).toMatchObject({ status: 'passed', assertionResults: [{ status: 'passed' }] });
    const leaky = file('leaky.fixture.ts')!;
    // Its one test passed: what failed the file is the privacy check, naming each leak.
    expect(leaky).toMatchObject({ status: 'failed', assertionResults: [{ status: 'passed' }] });
    expect(leaky.message).toMatch(/^Personal data in logs or SES tags \(4\):\n/);
    expect([...leaky.message.matchAll(/^ {2}(\w+ in [\w-]+): /gm)].map((line) => line[1])).toEqual([
      'email in stdout',
      'firstName in console',
      'lastName in stderr',
      'interest in ses-tag',
    ]);
  }, 120_000);

  it('matches names as whole words, emails in any case or URL-encoded, and phones with or without punctuation', () => {
    deliberate = 'never-captured';
    const people = [
      { email: 'Ana+Clinic@Example.com', firstName: 'Sam', phone: '+44 20 7946 0958', interest: 'chronic-migraine' },
    ];
    const found = (text: string) => findLeaks([{ source: 'stdout', text }], people).map((leak) => leak.field);
    expect(found('{"sampling_rate":0,"leadId":"01K"}')).toEqual([]);
    expect(found('hello Sam,')).toEqual(['firstName']);
    expect(found('to=ana+clinic@example.com')).toEqual(['email']);
    expect(found('url=ana%2Bclinic%40example.com')).toEqual(['email']);
    expect(found('call 442079460958')).toEqual(['phone']);
    expect(found('interest: Chronic-Migraine')).toEqual(['interest']);
    expect(found('ts 2026-11-25T11:40:13.973Z id 01JSEED0000000000000000001')).toEqual([]);
  });
});
