import { describe, expect, it } from 'vitest';
import { sequences } from '../../../emails/sequences.ts';
import { emailsToCheck } from '../../../local/email-templates.ts';

describe('the emails marketing ships', () => {
  it('every step of every sequence is checked', async () => {
    const emails = await emailsToCheck(sequences);
    const steps = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.map((step) => `${sequence.id} → ${step.id}`),
    );
    expect(emails.flatMap((email) => email.sentAs).sort()).toEqual(steps.sort());
  });
});
