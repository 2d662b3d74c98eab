import { spawnSync } from 'node:child_process';
import { describe, expect, it, inject } from 'vitest';
import { sequencesFor } from '../../lambdas/compose.ts';
import { makeSesEventsRecorder } from '../../lambdas/handlers/ses-events.ts';
import { oneByOne } from '../../local/sqs-batch.ts';
import { sendTest } from '../../local/send-test.ts';
import { inbox, testEnv, uniqueEmail } from './harness.ts';

describe('npm run send-test', () => {
  it('sends one step with its preview props to the local inbox, with the subject marked [TEST]', () => {
    const to = uniqueEmail('marketing');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'local/send-test.ts', '--to', to, '--step', 'how-it-works'],
      {
        encoding: 'utf8',
        env: { ...process.env, SES_ENDPOINT: inject('sesEndpoint') },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `Sent "[TEST] How ketamine may calm an over-sensitive migraine brain" (nurture/how-it-works, variant a of experiment how-it-works-subject) to ${to} through the local inbox`,
    );
    expect(run.stdout).toContain('Its other variants: --variant b.');
    return expect(inbox(to)).resolves.toEqual([
      expect.objectContaining({
        subject: '[TEST] How ketamine may calm an over-sensitive migraine brain',
        body: expect.objectContaining({ text: expect.stringContaining('Hi Jordan,') }),
      }),
    ]);
  });

  // sendTest is given no DynamoDB client (TestSendDeps has none), so it cannot write the table; what could still tie
  // the email to a lead is SES's event publishing, through the configuration set and the message tags.
  it('records nothing against any lead: no configuration set, no tags, and an SES event for it is skipped', async () => {
    const env = await testEnv();
    const to = uniqueEmail('marketing');
    const result = await sendTest(
      { ses: env.ses, sequences: sequencesFor(env.config), clinic: env.clinic },
      { to, step: 'nurture/the-research' },
    );
    expect(result).toMatchObject({
      ok: true,
      subject: '[TEST] Ketamine for migraine: what the studies found, and their limits',
    });

    const [request] = env.sesRequests;
    expect(request?.ConfigurationSetName).toBeUndefined();
    expect(request?.Tags).toBeUndefined();
    expect(Buffer.from(request!.RawMessage!.Data!).toString()).toMatch(
      /List-Unsubscribe-Post: List-Unsubscribe=One-Click/,
    );

    // Were SES to publish an event for it anyway (a default configuration set on the identity), it names no lead.
    const messageId = result.ok ? result.messageId : '';
    const delivery = {
      'detail-type': 'Email Delivery',
      source: 'aws.ses',
      detail: {
        eventType: 'Delivery',
        mail: { messageId, timestamp: new Date().toISOString(), tags: {} },
        delivery: { timestamp: new Date().toISOString() },
      },
    };
    expect(await oneByOne(makeSesEventsRecorder(env))(delivery)).toBe('skipped');
  });

  it('a follow-up step is sent with its preview appointment', async () => {
    const env = await testEnv();
    const to = uniqueEmail('marketing');
    expect(
      await sendTest(
        { ses: env.ses, sequences: sequencesFor(env.config), clinic: env.clinic },
        { to, step: 'reminder' },
      ),
    ).toMatchObject({ ok: true, subject: '[TEST] Reminder: your appointment tomorrow, Jordan' });
    const [mail] = await inbox(to);
    expect(mail?.body.text).toContain('Tuesday, December 1 at 10:00 AM EST');
  });

  it('an unknown step is refused with the list of steps that exist', async () => {
    const env = await testEnv();
    const result = await sendTest(
      { ses: env.ses, sequences: sequencesFor(env.config), clinic: env.clinic },
      { to: uniqueEmail(), step: 'how-it-work' },
    );
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/There is no step "how-it-work". Steps: nurture\/welcome, nurture\/how-it-works,/),
    });
    expect(env.sesRequests).toEqual([]);
  });
  it("sends each variant of a step's subject-line experiment on request (--variant), and refuses one the step has not, naming its variants", async () => {
    const env = await testEnv();
    const deps = { ses: env.ses, sequences: sequencesFor(env.config), clinic: env.clinic };
    const to = uniqueEmail('marketing');
    const subjects = {
      a: '[TEST] How ketamine may calm an over-sensitive migraine brain',
      b: '[TEST] What ketamine may do in a migraine brain, and what is unknown',
    };
    for (const variant of ['a', 'b'] as const)
      expect(await sendTest(deps, { to, step: 'how-it-works', variant })).toMatchObject({
        ok: true,
        subject: subjects[variant],
        experiment: { id: 'how-it-works-subject', variant, variants: ['a', 'b'] },
      });
    expect((await inbox(to)).map((mail) => mail.subject)).toEqual([subjects.a, subjects.b]);

    expect(await sendTest(deps, { to, step: 'how-it-works', variant: 'c' })).toEqual({
      ok: false,
      message:
        '--variant: "c" is not a variant of nurture/how-it-works (experiment how-it-works-subject): use one of a, b.',
    });
    expect(await sendTest(deps, { to, step: 'welcome', variant: 'b' })).toEqual({
      ok: false,
      message: '--variant: "b": nurture/welcome has no subject-line experiment, so no variants.',
    });
    expect(env.sesRequests).toHaveLength(2);
  });
});
