/**
 * Every email of every sequence, and every interest email, as SES received it, held to literal text: its subject and
 * one sentence that says what the email is for, written out here rather than computed with the template the sender
 * calls, so a changed subject or a lost paragraph fails. Each version a template lists in `Variants` is here too; the one no real
 * send reaches (the reminder sent days ahead) is rendered in test/unit/emails/email-literals.test.ts. What the medical
 * director signs off (risks, contraindications, the studies' numbers) is pinned in test/unit/emails/sequences.test.ts.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import HowItWorks from '../../emails/how-it-works.tsx';
import { interestEmails } from '../../emails/interest-emails.ts';
import { assign } from '../../lambdas/domain/experiments.ts';
import type { EmailStep } from '../../emails/sequences.ts';
import type { Sequence } from '../../lambdas/domain/sequence.ts';
import { makeBookingHandler } from '../../lambdas/handlers/booking.ts';
import { makeSignupHandler } from '../../lambdas/handlers/signup.ts';
import { sendTest } from '../../local/send-test.ts';
import { seedHumanClicks } from '../support/human-clicks.ts';
import {
  bookingEvent,
  httpEvent,
  inbox,
  manualClock,
  runNext,
  runUntilDone,
  signUp,
  testEnv,
  uniqueEmail,
  type TestEnv,
} from './harness.ts';

const NY = 'America/New_York';
/** The how-it-works email's subject per variant of its subject-line experiment (`HowItWorks.experiment`). */
const HOW_IT_WORKS_SUBJECTS = {
  a: 'How ketamine may calm an over-sensitive migraine brain',
  b: 'What ketamine may do in a migraine brain, and what is unknown',
} as const;
const howItWorksSubject = (leadId: string) =>
  HOW_IT_WORKS_SUBJECTS[assign(HowItWorks.experiment, leadId) as keyof typeof HOW_IT_WORKS_SUBJECTS];
const at = (local: string) => DateTime.fromISO(local, { zone: NY }).toJSDate();

/** Sign Jamie up in New York, and return what the inbox receives from now on. */
async function lead(env: TestEnv, label: string) {
  const email = uniqueEmail(label);
  const leadId = await signUp(env, { email, firstName: 'Jamie', timeZone: NY });
  const book = (appointmentAt: string, status: string) =>
    makeBookingHandler(env)(bookingEvent({ email, appointmentAt, status }));
  return {
    email,
    leadId,
    book,
    received: async () => (await inbox(email)).map((mail) => ({ subject: mail.subject, text: mail.body.text ?? '' })),
  };
}

/** Each received email has the subject and contains the sentence, in order. */
function expectLiterally(
  received: { subject: string; text: string }[],
  expected: [subject: string, sentence: string][],
) {
  expect(received.map((mail) => mail.subject)).toEqual(expected.map(([subject]) => subject));
  for (const [i, [subject, sentence]] of expected.entries()) expect(received[i]!.text, subject).toContain(sentence);
}

describe('every email, as SES received it, word for word', () => {
  it('the nurture: welcome, how it works, who it helps, side effects, the check-in, IV and nasal, the research, cost, the last invitation', async () => {
    const env = await testEnv({}, manualClock(at('2026-03-02T10:00')));
    const jamie = await lead(env, 'literal-nurture');
    // Nothing clicked until the check-in, whose "Keep them coming" Jamie clicks.
    for (let i = 0; i < 4; i++) await runNext(env, jamie.leadId);
    await seedHumanClicks(env, jamie.leadId, 'check-in:keep');
    expect((await runUntilDone(env, jamie.leadId))?.status).toBe('completed');
    expectLiterally(await jamie.received(), [
      [
        'Welcome, Jamie: here is what happens next',
        'Over the next few weeks we will send you a few short emails. Each one answers a question people often ask about ketamine for migraine:',
      ],
      [
        howItWorksSubject(jamie.leadId),
        "It blocks the NMDA receptor. This receptor, part of the brain's glutamate signaling system, takes part in amplifying pain signals.",
      ],
      [
        'Who ketamine for migraine may suit, and who should avoid it',
        'Ketamine is usually considered only after the standard options have not helped enough.',
      ],
      [
        'Ketamine side effects and risks, and how they are monitored',
        'Every treatment has side effects, and ketamine has several. Before you decide anything, here are the ones you should know about.',
      ],
      [
        'Are these emails still useful to you?',
        'If you would like the rest of the series, on how ketamine is given, what the studies found and what it costs, tap the button below.',
      ],
      [
        'IV or nasal spray? How ketamine is given for migraine',
        'Ketamine for migraine is given in one of two main ways.',
      ],
      [
        'Ketamine for migraine: what the studies found, and their limits',
        'Using ketamine for migraine is off-label: the FDA has not approved it for this use. The evidence is still early.',
      ],
      [
        'What ketamine treatment costs, and ways to pay',
        'We offer financing with 6 months at zero interest, payment plans, package pricing when several sessions are planned, and a discount for military members and veterans.',
      ],
      ['Jamie, an open invitation to talk it through', 'This is the last email in the series.'],
    ]);
  });

  it('the how-it-works subject-line experiment: each variant’s subject, the same email under it', async () => {
    const env = await testEnv({}, manualClock(at('2026-03-02T10:00')));
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const jamie = await lead(env, 'literal-experiment');
      await runNext(env, jamie.leadId);
      const subject = howItWorksSubject(jamie.leadId);
      seen.add(subject);
      expectLiterally((await jamie.received()).slice(1), [
        [subject, "It blocks the NMDA receptor. This receptor, part of the brain's glutamate signaling system"],
      ]);
    }
    expect([...seen].sort()).toEqual(Object.values(HOW_IT_WORKS_SUBJECTS).sort());
  });

  it('the follow-up after a booking: the confirmation, the reminder the day before ("tomorrow"), the note after a visit not reported attended', async () => {
    const env = await testEnv({}, manualClock(at('2026-03-02T10:00')));
    const jamie = await lead(env, 'literal-follow-up');
    expect((await jamie.book('2026-03-10T14:30:00-04:00', 'booked')).statusCode).toBe(200);
    expect((await runUntilDone(env, jamie.leadId))?.status).toBe('completed');
    expectLiterally((await jamie.received()).slice(1), [
      [
        "You're booked, Jamie: what to expect and what to bring",
        'We have you down for Tuesday, March 10 at 2:30 PM EDT.',
      ],
      ['Reminder: your appointment tomorrow, Jamie', 'is tomorrow, Tuesday, March 10 at 2:30 PM EDT.'],
      [
        'How did your visit go, Jamie?',
        'If you could not make it, reply to this email or call us at +1 (478) 555-0100, and we will find another time.',
      ],
    ]);
  });

  it('the reminder on the day of the visit ("today") and the note after a visit reported attended', async () => {
    const env = await testEnv({}, manualClock(at('2026-05-25T12:00')));
    const jamie = await lead(env, 'literal-same-day');
    env.clock.set(at('2026-06-01T20:30')); // too late for the reminder the day before: it goes at 9:00 on the day
    expect((await jamie.book('2026-06-02T14:00:00-04:00', 'booked')).statusCode).toBe(200);
    await runNext(env, jamie.leadId);
    env.clock.set(at('2026-06-02T17:00')); // after the visit, the clinic reports that Jamie came
    expect((await jamie.book('2026-06-02T14:00:00-04:00', 'attended')).statusCode).toBe(200);
    expect((await runUntilDone(env, jamie.leadId))?.status).toBe('completed');
    expectLiterally((await jamie.received()).slice(2), [
      ['Reminder: your appointment today, Jamie', 'is today, Tuesday, June 2 at 2:00 PM EDT.'],
      [
        'How are you feeling, Jamie?',
        'Thank you for coming in to Ketamine Center of Central Georgia. We hope the visit answered your questions.',
      ],
    ]);
  });

  it('the nudge to rebook after a cancellation', async () => {
    const env = await testEnv({}, manualClock(at('2026-03-02T10:00')));
    const jamie = await lead(env, 'literal-reschedule');
    await jamie.book('2026-03-12T11:00:00-04:00', 'booked');
    expect((await jamie.book('2026-03-12T11:00:00-04:00', 'cancelled')).statusCode).toBe(200);
    expect((await runUntilDone(env, jamie.leadId))?.status).toBe('completed');
    expectLiterally((await jamie.received()).slice(2), [
      [
        "Jamie, let's find a time that works for you",
        'Your appointment for Thursday, March 12 at 11:00 AM EDT did not go ahead.',
      ],
    ]);
  });
});

describe('the email that asks a new sign-up to confirm its address (double opt-in), word for word', () => {
  it('one email, naming the clinic, the link’s 7 days, and what to do if you did not sign up', async () => {
    const env = await testEnv({ DOUBLE_OPT_IN: 'true' }, manualClock(at('2026-03-02T10:00')));
    const email = uniqueEmail('literal-opt-in');
    const answer = await makeSignupHandler(env)(
      httpEvent('POST', '/signup', { body: { email, firstName: 'Jamie', consent: true, timeZone: NY } }),
    );
    expect(answer.statusCode).toBe(202);
    const received = (await inbox(email)).map((mail) => ({ subject: mail.subject, text: mail.body.text ?? '' }));
    expectLiterally(received, [
      [
        'Please confirm your email address, Jamie',
        'Before we send you anything else, please confirm that this email address is yours.',
      ],
    ]);
    expect(received[0]!.text).toContain('The link works for 7 days.');
    expect(received[0]!.text).toContain(
      'Did not sign up? Then ignore this email: we will not email you again, and we delete this address from our list after 7 days.',
    );
  });
});

describe('the interest emails (emails/interest-emails.ts), word for word', () => {
  // Sent with the same renderer and MIME as the dispatcher's (`npm run send-test`, with their preview props: Jordan),
  // through a sequence of their own, so these hold whichever step a lead's interest swaps them in for.
  const interest: Sequence<EmailStep> = {
    id: 'interest-emails',
    window: { start: '09:00', end: '18:00' },
    onePerDay: false,
    steps: Object.entries(interestEmails).map(([id, template]) => ({
      id,
      class: 'marketing',
      immediate: true,
      template,
    })),
  };

  it.each([
    [
      'welcome-status-migrainosus',
      'Welcome, Jordan: first, when a migraine needs emergency care',
      'FIRST: WHEN A MIGRAINE ATTACK NEEDS EMERGENCY CARE\n\nCall 911, or go to the nearest emergency department now, if a headache:',
    ],
    [
      'who-it-helps-chronic',
      'Chronic migraine: where ketamine may fit, and who should avoid it',
      'Doctors call migraine chronic when there is headache on at least 15 days a month for more than 3 months, with the features of migraine on at least 8 days a month.',
    ],
    [
      'who-it-helps-refractory',
      'When migraine treatments have failed: what it means for ketamine',
      'Migraine is called resistant when at least three classes of preventive medicines have failed and there are still at least 8 days a month with debilitating headache, for at least 3 months in a row.',
    ],
    [
      'the-research-aura',
      'Ketamine for migraine with aura: one small trial, and its limits',
      'With ketamine, the aura was less severe, but it did not get shorter. Midazolam changed neither',
    ],
  ])('%s', async (id, subject, sentence) => {
    const env = await testEnv();
    const to = uniqueEmail(`literal-${id}`);
    const sent = await sendTest(
      { ses: env.ses, sequences: { [interest.id]: interest }, clinic: env.clinic },
      { to, step: id },
    );
    expect(sent.ok).toBe(true);
    const received = (await inbox(to)).map((mail) => ({ subject: mail.subject, text: mail.body.text ?? '' }));
    expectLiterally(received, [[`[TEST] ${subject}`, sentence]]);
  });
});
