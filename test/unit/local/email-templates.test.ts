import { describe, expect, it } from 'vitest';
import { interestEmails } from '../../../emails/interest-emails.ts';
import { sequences } from '../../../emails/sequences.ts';
import { emailsToCheck, variantsOf } from '../../../local/email-templates.ts';

describe('the emails marketing ships', () => {
  it('every step of every sequence is checked', async () => {
    const emails = await emailsToCheck(sequences);
    const steps = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.map((step) => `${sequence.id} → ${step.id}`),
    );
    const sentAs = emails.flatMap((email) => email.sentAs).filter((as) => !as.startsWith('interest email → '));
    // And each subject-line experiment variant of a step's email, as it is sent.
    const experiments = ['nurture → how-it-works (experiment how-it-works-subject, variant b)'];
    expect(sentAs.sort()).toEqual([...steps, ...experiments].sort());
  });

  it('every interest email a step names (byInterest) is checked too, by its id and the file it lives in', async () => {
    const emails = await emailsToCheck(sequences); // read through the sequences' variants
    expect(Object.keys(interestEmails).sort()).toEqual(Object.keys(variantsOf(sequences)).sort());
    const interest = emails.filter((email) => email.sentAs.some((as) => as.startsWith('interest email → ')));
    expect(interest.map((email) => [email.file, email.sentAs])).toEqual([
      ['emails/the-research-aura.tsx', ['interest email → the-research-aura']],
      ['emails/welcome-status-migrainosus.tsx', ['interest email → welcome-status-migrainosus']],
      ['emails/who-it-helps-chronic.tsx', ['interest email → who-it-helps-chronic']],
      ['emails/who-it-helps-refractory.tsx', ['interest email → who-it-helps-refractory']],
    ]);
  });
});
