import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it, vi } from 'vitest';
import { ReactEmailRenderer } from '../../../lambdas/adapters/renderer.ts';
import type { RenderProps } from '../../../lambdas/domain/ports.ts';
import type { EmailProps, StepTemplate } from '../../../emails/_shared/types.ts';
import { clinic } from '../../../emails/clinic.ts';
import { sequences, type EmailStep } from '../../../emails/sequences.ts';

// Counts every real React render, the renderer's included: react-email's own render, wrapped, not replaced.
const reactRenders = vi.hoisted(() => ({ count: 0 }));
vi.mock('react-email', async (importOriginal) => {
  const actual = await importOriginal<typeof import('react-email')>();
  return {
    ...actual,
    render: (...args: Parameters<typeof actual.render>) => (reactRenders.count++, actual.render(...args)),
  };
});

// Each step, and each of its variants by interest as the step with the variant's template (sent in its place).
const steps = Object.values(sequences).flatMap((sequence) =>
  sequence.steps.flatMap((step) => [
    [`${sequence.id}/${step.id}`, sequence.id, step, undefined] as const,
    ...Object.entries(step.variants ?? {}).map(
      ([variant, template]) => [`${sequence.id}/${variant}`, sequence.id, { ...step, template }, variant] as const,
    ),
  ]),
);
const unsubscribeUrl = 'https://nurture.clinic.example/unsubscribe?token=01KABCDEFGHJKMNPQRSTVWXYZ12.abc_def-ghi';
// Names whose HTML escaping, upper-casing (headings in the plain-text part) or spacing could trip a fill-in.
const names = ['Jordan', 'Ana  María', 'Straße', 'O’Brien & <Sons>', 'ǅemal', 'Zoë-Ann'];

/** A direct render of a step, with its class (which chooses the footer), as a sender passes it. */
const direct = async ({ template, class: messageClass }: EmailStep, props: RenderProps) => {
  const element = createElement(template, { ...props, clinic, messageClass });
  return { html: await render(element), text: await render(element, { plainText: true }) };
};

/** Every version a template has (none given, its preview's, each of its Variants), as the props that choose it. */
function versionsOf(template: StepTemplate): Pick<RenderProps, 'visitDay' | 'attended'>[] {
  const all = [
    {},
    template.PreviewProps,
    ...Object.values(template.Variants ?? {}).map((version) => ({ ...template.PreviewProps, ...version })),
  ].map(({ visitDay, attended }: Partial<EmailProps>) => ({
    ...(visitDay !== undefined && { visitDay }),
    ...(attended !== undefined && { attended }),
  }));
  return [...new Map(all.map((version) => [JSON.stringify(version), version])).values()];
}

describe.each(steps)('the %s email, as the renderer fills it in per lead', (_name, sequenceId, step, variant) => {
  it('is exactly what a direct render gives, for names of any length and alphabet, with or without an appointment, in each of its versions', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    for (const version of versionsOf(step.template)) {
      for (const firstName of names) {
        for (const appointment of [
          undefined,
          'Tuesday, March 3 at 10:00 AM',
          'Wednesday, September 30 at 11:30 AM MDT',
        ]) {
          const props = { firstName, unsubscribeUrl, ...(appointment && { appointment }), ...version };
          const filled = await renderer.render(sequenceId, step.id, props, variant);
          expect({ html: filled.html, text: filled.text }).toEqual(await direct(step, props));
        }
      }
    }
  });

  it.each([
    ['without an appointment', undefined],
    ['with an appointment', 'Tuesday, March 3 at 10:00 AM'],
  ])(
    'is rendered with React for its first send only, %s: every later send is filled in',
    async (_shape, appointment) => {
      const renderer = new ReactEmailRenderer(sequences, clinic);
      const send = (firstName: string) =>
        renderer.render(
          sequenceId,
          step.id,
          { firstName, unsubscribeUrl, ...(appointment && { appointment }) },
          variant,
        );
      const atStart = reactRenders.count;
      await send('Jordan');
      expect(reactRenders.count).toBeGreaterThan(atStart);
      const afterFirst = reactRenders.count;
      for (const firstName of names) await send(firstName);
      expect(reactRenders.count - afterFirst).toBe(0);
    },
  );
});

describe('an email with versions, sent to many leads by one renderer', () => {
  // Leads in the order a dispatcher run might meet them: the versions interleave, and each comes back to the cache.
  const leads = names.flatMap((firstName, i) => [
    { firstName, attended: i % 2 === 0 },
    { firstName, attended: i % 3 === 0 },
  ]);

  it('the note after the visit thanks only the leads whose visit was reported attended, and is exactly the direct render for each', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    const afterVisit = sequences['follow-up']!.steps.find((step) => step.id === 'after-visit')!;
    for (const { firstName, attended } of leads) {
      const props = { firstName, unsubscribeUrl, appointment: 'Tuesday, March 3 at 10:00 AM EST', attended };
      const sent = await renderer.render('follow-up', 'after-visit', props);
      expect({ html: sent.html, text: sent.text }).toEqual(await direct(afterVisit, props));
      if (attended) {
        expect(sent.text).toContain('Thank you for coming in');
        expect(sent.subject).toBe(`How are you feeling, ${firstName}?`);
      } else {
        expect(sent.text).not.toMatch(/thank you for coming/i);
        expect(sent.text).toContain('If you could not make it, reply to this email');
        expect(sent.subject).toBe(`How did your visit go, ${firstName}?`);
      }
    }
  });

  it('the reminder says "today" or "tomorrow" as each lead’s visit is, never the other lead’s', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    for (const [i, { firstName }] of leads.entries()) {
      const visitDay = (['today', 'tomorrow', undefined] as const)[i % 3];
      const sent = await renderer.render('follow-up', 'reminder', {
        firstName,
        unsubscribeUrl,
        appointment: 'Tuesday, March 3 at 10:00 AM EST',
        ...(visitDay && { visitDay }),
      });
      const heading = /<h1[^>]*>([^<]*)<\/h1>/.exec(sent.html)![1];
      expect(heading).toBe(visitDay ? `See you ${visitDay}` : 'See you soon');
      expect(sent.subject).toBe(
        visitDay
          ? `Reminder: your appointment ${visitDay}, ${firstName}`
          : `Reminder: your appointment is coming up, ${firstName}`,
      );
      expect(sent.text).toContain(`is ${visitDay ? `${visitDay}, ` : ''}Tuesday, March 3 at 10:00 AM EST.`);
    }
  });

  it('is rendered with React once per version, and filled in for every later lead', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    const atStart = reactRenders.count;
    for (const { firstName, attended } of leads)
      await renderer.render('follow-up', 'after-visit', {
        firstName,
        unsubscribeUrl,
        appointment: 'Tuesday, March 3 at 10:00 AM EST',
        attended,
      });
    // Each version's first send renders the stand-ins and the lead directly, HTML and text: 4 renders, 2 versions.
    expect(reactRenders.count - atStart).toBe(8);
  });
});

describe('a step with variants by interest, sent to many leads by one renderer', () => {
  it('each lead gets the email chosen for it, the step’s own or a variant, however the sends interleave', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    const step = sequences.nurture!.steps.find((s) => s.id === 'who-it-helps')!;
    const choices = [undefined, 'who-it-helps-chronic', 'who-it-helps-refractory', undefined, 'who-it-helps-chronic'];
    for (const [i, variant] of choices.entries()) {
      const props = { firstName: names[i]!, unsubscribeUrl };
      const sent = await renderer.render('nurture', 'who-it-helps', props, variant);
      const template = variant === undefined ? step.template : step.variants![variant]!;
      expect(sent.subject).toBe(template.subject({ ...props, clinic }));
      expect({ html: sent.html, text: sent.text }).toEqual(await direct({ ...step, template }, props));
    }
  });

  it('a variant the step does not have is an error, never the step’s own email sent in its place', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    await expect(
      renderer.render('nurture', 'how-it-works', { firstName: 'Jo', unsubscribeUrl }, 'nope'),
    ).rejects.toThrow('no template for nurture/how-it-works (its variant)');
  });
});
