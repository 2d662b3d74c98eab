import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it, vi } from 'vitest';
import { ReactEmailRenderer } from '#adapters/renderer';
import { clinic } from '../../emails/clinic.ts';
import { sequences } from '../../emails/sequences.ts';

// Counts every real React render, the renderer's included: react-email's own render, wrapped, not replaced.
const reactRenders = vi.hoisted(() => ({ count: 0 }));
vi.mock('react-email', async (importOriginal) => {
  const actual = await importOriginal<typeof import('react-email')>();
  return { ...actual, render: (...args: Parameters<typeof actual.render>) => (reactRenders.count++, actual.render(...args)) };
});

const steps = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => [`${sequence.id}/${step.id}`, sequence.id, step] as const));
const unsubscribeUrl = 'https://nurture.clinic.example/unsubscribe?token=01KABCDEFGHJKMNPQRSTVWXYZ12.abc_def-ghi';
// Names whose HTML escaping, upper-casing (headings in the plain-text part) or spacing could trip a fill-in.
const names = ['Jordan', 'Ana  María', 'Straße', 'O’Brien & <Sons>', 'ǅemal', 'Zoë-Ann'];

describe.each(steps)('the %s email, as the renderer fills it in per lead', (_name, sequenceId, step) => {
  it('is exactly what a direct render gives, for names of any length and alphabet, with or without an appointment', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    for (const firstName of names) {
      for (const appointment of [undefined, 'Tuesday, March 3 at 10:00 AM', 'Wednesday, September 30 at 11:30 AM MDT']) {
        const props = { firstName, unsubscribeUrl, ...(appointment && { appointment }) };
        const element = createElement(step.template, { ...props, clinic });
        const direct = { html: await render(element), text: await render(element, { plainText: true }) };
        const filled = await renderer.render(sequenceId, step.id, props);
        expect({ html: filled.html, text: filled.text }).toEqual(direct);
      }
    }
  });

  it.each([
    ['without an appointment', undefined],
    ['with an appointment', 'Tuesday, March 3 at 10:00 AM'],
  ])('is rendered with React for its first send only, %s: every later send is filled in', async (_shape, appointment) => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    const send = (firstName: string) => renderer.render(sequenceId, step.id, { firstName, unsubscribeUrl, ...(appointment && { appointment }) });
    const atStart = reactRenders.count;
    await send('Jordan');
    expect(reactRenders.count).toBeGreaterThan(atStart);
    const afterFirst = reactRenders.count;
    for (const firstName of names) await send(firstName);
    expect(reactRenders.count - afterFirst).toBe(0);
  });
});
