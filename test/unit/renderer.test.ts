import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it } from 'vitest';
import { ReactEmailRenderer } from '#adapters/renderer';
import { clinic } from '../../emails/clinic.ts';
import { sequences } from '../../emails/sequences.ts';

const steps = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => [`${sequence.id}/${step.id}`, sequence.id, step] as const));
const unsubscribeUrl = 'https://nurture.clinic.example/unsubscribe?token=01KABCDEFGHJKMNPQRSTVWXYZ12.abc_def-ghi';
// Names whose HTML escaping, upper-casing (headings in the plain-text part) or spacing could trip a fill-in.
const names = ['Jordan', 'Ana  María', 'Straße', 'O’Brien & <Sons>', 'ǅemal', 'Zoë-Ann'];

describe.each(steps)('the %s email, as the renderer fills it in per lead', (_name, sequenceId, step) => {
  it('is exactly what a direct render gives, for names of any length and alphabet, with or without an appointment', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    for (const firstName of names) {
      for (const appointment of [undefined, 'Tuesday, March 3 at 10:00 AM']) {
        const props = { firstName, unsubscribeUrl, ...(appointment && { appointment }) };
        const element = createElement(step.template, { ...props, clinic });
        const direct = { html: await render(element), text: await render(element, { plainText: true }) };
        const filled = await renderer.render(sequenceId, step.id, props);
        expect({ html: filled.html, text: filled.text }).toEqual(direct);
      }
    }
  });

  it('is rendered with React once, not once per send', async () => {
    const renderer = new ReactEmailRenderer(sequences, clinic);
    await renderer.render(sequenceId, step.id, { firstName: 'Jordan', unsubscribeUrl });
    const compiled = [...renderer['compiled']].filter(([key]) => key.startsWith(`${sequenceId}/${step.id}/`));
    expect(compiled).toHaveLength(1);
    expect(await compiled[0]![1]).toBeDefined();
  });
});
