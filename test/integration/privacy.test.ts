/**
 * The privacy check itself (test/support/privacy.ts, run after every test file by privacy-setup.ts) must be able
 * to fail: these tests leak on purpose through the real logger, console and SES client, see it caught, and then
 * take the deliberate leak back out so this file still passes the check.
 */
import { spawn } from 'node:child_process';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterEach, describe, expect, it } from 'vitest';
import { sesClient } from '#adapters/clients';
import { logger } from '#adapters/log';
import { composeMime } from '#adapters/ses-mailer';
import { makeSignupHandler } from '#handlers/signup';
import { findLeaks, forwardChildOutput, installCapture } from '../support/privacy.ts';
import { httpEvent, testEnv, uniqueEmail } from './harness.ts';

const capture = installCapture();
const env = await testEnv();
let deliberate: string;

/** Take this test's deliberate leak out of what the file-level check will read. */
afterEach(() => {
  const kept = capture.captured.filter((line) => !line.text.includes(deliberate));
  capture.captured.splice(0, capture.captured.length, ...kept);
});

describe('the privacy check', () => {
  it("catches a lead's email, name, phone and interest leaked into a log line, the console and an SES tag", async () => {
    deliberate = `deliberate-${Date.now()}`;
    const email = uniqueEmail('leaky');
    const signup = await makeSignupHandler(env)(httpEvent('POST', '/signup', { body: { email, firstName: 'Philippa', lastName: 'Quennell', phone: '+1 (555) 010-4477', interest: 'refractory-migraine', consent: true } }));
    expect(signup.statusCode).toBe(201);
    expect(capture.leaks()).toEqual([]); // sign-up and the welcome send themselves leak nothing

    logger.info(deliberate, { email });
    console.warn(deliberate, 'Quennell');
    const raw = await composeMime({ to: { address: email, name: 'x' }, subject: 's', html: '<p>x</p>', text: 'x', unsubscribeUrl: 'https://x.example/u' }, { from: { name: 'c', address: 'c@example.com' }, replyTo: 'r@example.com' });
    await sesClient(env.config).send(new SendRawEmailCommand({ RawMessage: { Data: raw }, Tags: [{ Name: 'leak', Value: `${deliberate}-15550104477` }, { Name: 'interest', Value: `${deliberate}.refractory-migraine` }] }));

    const leaks = capture.leaks().map(({ field, source }) => `${field} in ${source}`);
    expect(leaks).toEqual(expect.arrayContaining(['email in stdout', 'lastName in console', 'phone in ses-tag', 'interest in ses-tag']));
  });

  it("catches a lead's email in the output of a child process whose output is passed through", async () => {
    deliberate = `deliberate-${Date.now()}`;
    const email = uniqueEmail('child-leak');
    expect((await makeSignupHandler(env)(httpEvent('POST', '/signup', { body: { email, firstName: 'Philippa', consent: true } }))).statusCode).toBe(201);
    const child = spawn(process.execPath, ['-e', 'console.log(process.argv[1]); console.error(process.argv[1])', `${deliberate} ${email}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    await forwardChildOutput(child);
    expect(capture.leaks().map(({ field, source }) => `${field} in ${source}`)).toEqual(['email in stdout', 'email in stderr']);
  });

  it('matches names as whole words, emails in any case or URL-encoded, and phones with or without punctuation', () => {
    deliberate = 'never-captured';
    const people = [{ email: 'Ana+Clinic@Example.com', firstName: 'Sam', phone: '+44 20 7946 0958', interest: 'chronic-migraine' }];
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
