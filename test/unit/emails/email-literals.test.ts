/**
 * The email versions no real send reaches, held to literal text like the sent ones in
 * test/integration/email-literals.test.ts; and the list of versions that file covers, so a new one is noticed.
 */
import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it } from 'vitest';
import Reminder from '../../../emails/reminder.tsx';
import { sequences } from '../../../emails/sequences.ts';

describe('email versions, word for word', () => {
  it('every version a template lists in Variants is one email-literals.test.ts sends, or one rendered here', () => {
    const variants = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.flatMap((step) => Object.keys(step.template.Variants ?? {}).map((name) => `${step.id}: ${name}`)),
    );
    // reminder "same day" and after-visit "attended" are sent in test/integration/email-literals.test.ts.
    expect(variants).toEqual(['reminder: same day', 'reminder: days ahead', 'after-visit: attended']);
  });

  it('the reminder sent more than a day ahead, which no sequence step does today: "is coming up", and no "today" or "tomorrow"', async () => {
    const props = { ...Reminder.PreviewProps, ...Reminder.Variants['days ahead'] };
    expect(Reminder.subject(props)).toBe('Reminder: your appointment is coming up, Jordan');
    const text = await render(createElement(Reminder, props), { plainText: true });
    expect(text).toContain('SEE YOU SOON');
    expect(text).toContain(
      'A quick reminder: your appointment at Ketamine Center of Central Georgia is Tuesday, December 1 at 10:00 AM EST.',
    );
  });
});
