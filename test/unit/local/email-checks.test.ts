import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { interestEmails } from '../../../emails/interest-emails.ts';
import { sequences } from '../../../emails/sequences.ts';
import { claims, disclaimerPhrases } from '../../../emails/content-rules.ts';
import Welcome from '../../../emails/welcome.tsx';
import { checkTemplate, formatProblems, type Rule } from '../../../local/email-checks.ts';
import { emailsFromFiles, emailsToCheck } from '../../../local/email-templates.ts';

const emails = await emailsToCheck(sequences, interestEmails);

describe('the emails marketing ships', () => {
  it.each(emails.map((email) => [email.file, email] as const))(
    '%s passes every content check',
    async (_file, email) => {
      const problems = await checkTemplate(email.template);
      expect(problems, formatProblems(email, problems)).toEqual([]);
    },
  );
});

/** Each fixture in test/fixtures/emails breaks one rule, as a marketer's edit might. */
const broken: Array<[string, string, Rule, RegExp]> = [
  [
    'an unsubscribe link typed into the template',
    'hard-coded-unsubscribe',
    'unsubscribe',
    /no visible unsubscribe link/,
  ],
  ['no postal address', 'no-postal-address', 'postal-address', /postal address is missing.*Macon, GA 31201/],
  ['no medical disclaimer', 'no-disclaimer', 'disclaimer', /disclaimer is missing.*not medical advice/],
  ['a subject over 70 characters', 'long-subject', 'subject', /86 characters long/],
  ['no preview text', 'no-preview-text', 'preview-text', /no preview text/],
  ['an empty plain-text version', 'hidden-from-text', 'plain-text', /plain-text version of the email is empty/],
  ['an http link', 'http-link', 'https-links', /"http:\/\/clinic\.example\/migraine"/],
  ['an image without alt text', 'image-without-alt', 'image-alt', /no alt text.*treatment-room\.jpg/],
  ['HTML over 102 KB', 'too-heavy', 'size', /HTML is 1\d\d\.\d KB/],
  ['the claim word "cure"', 'claim-word', 'claims', /says "cure" \(.*the cure they had been looking for/],
  [
    'a study quoted without a source link',
    'uncited-study',
    'citations',
    /cites a study without a source link: "Hi Jordan, a 2021 study of 300 patients/,
  ],
  [
    'a CSS grid layout',
    'unsupported-layout',
    'email-clients',
    /“grid-template-\* properties”, which .*Gmail \(Desktop Webmail\)/,
  ],
  [
    'a claim word in only one version of an email',
    'claim-in-one-version',
    'claims',
    /^In the "attended" version \(attended: true\): It says "cure"/,
  ],
];

describe('a template that breaks a rule fails, saying which template, what is wrong and how to fix it', () => {
  it.each(broken)('%s', async (_what, fixture, rule, message) => {
    const [email] = await emailsFromFiles([`test/fixtures/emails/${fixture}.tsx`]);
    const problems = await checkTemplate(email!.template);
    expect(new Set(problems.map((p) => p.rule))).toEqual(new Set([rule]));
    expect(problems[0]!.problem).toMatch(message);
    expect(problems[0]!.fix.length).toBeGreaterThan(20);
    expect(formatProblems(email!, problems)).toContain(`✗ test/fixtures/emails/${fixture}.tsx`);
  });

  it('a phrase marketing adds to emails/content-rules.ts is caught from then on', async () => {
    const stricter = {
      claims: [...claims, { words: ['free consultation'], instead: 'Say "a consultation at no cost".' }],
      disclaimerPhrases,
    };
    const problems = await checkTemplate(Welcome, stricter);
    expect(problems.map((p) => p.rule)).toEqual(['claims']);
    expect(problems[0]!.problem).toMatch(/says "free consultation"/);
    expect(problems[0]!.fix).toContain('a consultation at no cost');
  });

  it('claim words match whole words only: "secure" is not "cure"', async () => {
    const problems = await checkTemplate(Welcome, {
      claims: [
        { words: ['here is what'], instead: '' },
        { words: ['ere'], instead: '' },
      ],
      disclaimerPhrases,
    });
    expect(problems.map((p) => p.problem)).toEqual([expect.stringMatching(/says "here is what"/)]);
  });

  it('npm run check:emails exits 1 and prints the fix for a broken template', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'local/check-emails.ts', 'test/fixtures/emails/claim-word.tsx', 'emails/welcome.tsx'],
      { encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('✗ test/fixtures/emails/claim-word.tsx: 1 problem');
    expect(run.stdout).toContain('Fix: Say what a study found');
    expect(run.stdout).toContain('✓ emails/welcome.tsx');
    expect(run.stdout).toContain('1 of 2 emails need a fix');
  });
});
