/**
 * The interest emails (emails/interest-emails.ts): what the medical director signs off in each, held to literal
 * text like the sequences' emails in sequences.test.ts. A rewrite that drops a warning sign, a contraindication, a
 * study's limit or a number as its source gives it fails here.
 */
import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it } from 'vitest';
import { interestEmails } from '../../../emails/interest-emails.ts';
import { sequences } from '../../../emails/sequences.ts';
import Welcome from '../../../emails/welcome.tsx';
import WhoItHelps from '../../../emails/who-it-helps.tsx';
import type { StepTemplate } from '../../../emails/_shared/types.ts';
import { templateFiles } from '../../../local/email-templates.ts';

const squash = (text: string) => text.replace(/\s+/g, ' ');

/** Subject, preview and the plain-text body, without the shared footer (its disclaimer would satisfy any check). */
async function bodyOf(template: StepTemplate): Promise<string> {
  const props = template.PreviewProps;
  const text = await render(createElement(template, props), { plainText: true });
  const body = text.split('This email is general information, not medical advice.')[0]!;
  return squash(`${template.subject(props)}\n${template.preview(props)}\n${body}`);
}

const text = Object.fromEntries(
  await Promise.all(Object.entries(interestEmails).map(async ([id, t]) => [id, await bodyOf(t)] as const)),
) as Record<keyof typeof interestEmails, string>;

/** The items of every bulleted list in a template's plain text ("* item"), in order. */
async function listItems(template: StepTemplate): Promise<string[]> {
  const plain = await render(createElement(template, template.PreviewProps), { plainText: true });
  return plain
    .split('\n')
    .filter((line) => line.trim().startsWith('* '))
    .map((line) => squash(line.trim().slice(2)));
}

describe('the interest emails', () => {
  it('are the four the contract names, each a template file in emails/ of the same name (so the preview lists it), none with a step’s id', () => {
    expect(Object.keys(interestEmails).sort()).toEqual([
      'the-research-aura',
      'welcome-status-migrainosus',
      'who-it-helps-chronic',
      'who-it-helps-refractory',
    ]);
    const files = templateFiles('emails');
    for (const id of Object.keys(interestEmails)) expect(files).toContain(`emails/${id}.tsx`);
    const stepIds = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => step.id));
    for (const id of Object.keys(interestEmails)) expect(stepIds).not.toContain(id);
  });

  it.each(Object.keys(interestEmails))(
    '%s says, in its own words, that ketamine for migraine is off-label and that results vary, and sends the reader to a consultation',
    (id) => {
      const body = text[id as keyof typeof interestEmails];
      expect(body).toMatch(/off-label/);
      expect(body).toMatch(/Results vary/);
      expect(body).toContain('Book a free consultation https://clinic.example/consultation');
    },
  );
});

describe('status migrainosus: when an attack needs emergency care comes first', () => {
  const body = text['welcome-status-migrainosus'];

  it('opens with when to call 911, before the welcome and before anything about ketamine', () => {
    expect(body).toMatch(
      /^Welcome, Jordan: first, when a migraine needs emergency care The warning signs that mean call 911, then what this short series covers\. Ketamine Center of Central Georgia FIRST: WHEN A MIGRAINE ATTACK NEEDS EMERGENCY CARE Call 911, or go to the nearest emergency department now, if a headache:/,
    );
    // After the clinic's name at the top: the warning signs, then the welcome and the series, then ketamine.
    const after = body.slice(body.indexOf('FIRST: WHEN A MIGRAINE ATTACK'));
    const firstMention = (pattern: RegExp) => after.search(pattern);
    expect(firstMention(/began after a blow to the head/)).toBeLessThan(firstMention(/thank you for contacting/));
    expect(firstMention(/began after a blow to the head/)).toBeLessThan(firstMention(/ketamine/i));
  });

  it.each([
    'came on suddenly, like a thunderclap, and is the worst you have ever had',
    'weakness, numbness, confusion, trouble speaking, loss of vision or unusual drowsiness that is new to you or unlike your usual aura',
    'a fever and a stiff neck, or a rash',
    'began after a blow to the head or a fall',
    'if an attack has not let up for more than 72 hours despite your usual medicines. That is what status migrainosus means',
    'A headache of a new kind for you, or a sharp change in your usual pattern, also needs a doctor',
    'A consultation with us is not emergency care.',
    'our email and phone line are not for emergencies: for those, call 911',
    'It does not replace the doctor who treats your migraine.',
  ])('says "%s"', (phrase) => {
    expect(body).toContain(phrase);
  });

  it('cites the NHS’s headache advice, the red-flags review and ICHD-3 by their own addresses', () => {
    expect(body).toContain('https://www.nhs.uk/conditions/headaches/');
    expect(body).toContain('https://doi.org/10.1212/WNL.0000000000006697');
    expect(body).toContain('https://doi.org/10.1177/0333102417738202');
  });

  it('still says everything the general welcome lists: what the series covers', async () => {
    const general = await listItems(Welcome);
    expect(general.length).toBeGreaterThan(4);
    const own = await listItems(interestEmails['welcome-status-migrainosus']);
    for (const item of general) expect(own).toContain(item);
  });
});

describe('who it helps: the chronic and refractory versions keep every reason to avoid ketamine', () => {
  it.each(['who-it-helps-chronic', 'who-it-helps-refractory'] as const)(
    '%s lists every contraindication of the general who-it-helps email, word for word',
    async (id) => {
      const general = (await listItems(WhoItHelps)).filter(
        (item) => !/chronic migraine|status migrainosus|tried several|sensitive to touch/.test(item),
      );
      expect(general).toContain('liver disease;');
      expect(general).toHaveLength(7);
      const own = await listItems(interestEmails[id]);
      for (const item of general) expect(own).toContain(item);
    },
  );

  it('chronic: the ICHD-3 definition, medication overuse checked, and ketamine after the established treatments', () => {
    const body = text['who-it-helps-chronic'];
    expect(body).toContain(
      'headache on at least 15 days a month for more than 3 months, with the features of migraine on at least 8 days a month',
    );
    expect(body).toContain('(medication-overuse headache)');
    expect(body).toContain('https://doi.org/10.1177/0333102417738202');
    expect(body).toContain('Ketamine is not a first treatment for chronic migraine.');
    expect(body).toContain('at least three classes of preventive medicines have failed');
    expect(body).toContain('https://doi.org/10.1186/s10194-020-01130-5');
    expect(body).toContain('is something a clinician may discuss with you at that point, not before');
  });

  it('refractory: the EHF definitions as the consensus gives them, the records to bring, and what the studies cannot show', () => {
    const body = text['who-it-helps-refractory'];
    expect(body).toContain(
      'Migraine is called resistant when at least three classes of preventive medicines have failed and there are still at least 8 days a month with debilitating headache, for at least 3 months in a row.',
    );
    expect(body).toContain(
      'It is called refractory when all of the available preventives have failed, with that many such days for at least 6 months in a row',
    );
    expect(body).toContain('at least two different triptans have failed');
    expect(body).toContain('https://doi.org/10.1186/s10194-020-01130-5');
    expect(body).toContain('it does not make you a candidate by itself');
    for (const record of [
      'every preventive treatment you have tried: its name, the highest dose, how long you took it, and why you stopped',
      'the acute medicines you use for attacks, and on how many days a month you take them',
      'a headache diary',
      'letters or notes from your neurologist or headache specialist',
    ])
      expect(body).toContain(record);
    expect(body).toContain(
      '55 had improved by at least 2 points out of 10 by discharge, but only 15 still had that benefit',
    );
    expect(body).toContain('this lasting effect was not statistically significant');
    expect(body).toContain('74.0% reported at least one side effect');
    expect(body).toContain('Neither study had a placebo or comparison group');
  });
});

describe('the aura trial, as its paper reports it', () => {
  const body = text['the-research-aura'];

  it('30 randomized against a midazolam spray, not a placebo; 18 completed; less severe aura, not shorter', () => {
    expect(body).toContain(
      'In a 2013 double-blind trial, 30 people who have migraine with prolonged aura were randomly given one of two nasal sprays',
    );
    expect(body).toContain('ketamine 25 mg, or midazolam 2 mg, a sedative used for comparison instead of a placebo');
    expect(body).toContain('Only 18 completed it');
    expect(body).toContain(
      'With ketamine, the aura was less severe, but it did not get shorter. Midazolam changed neither',
    );
    expect(body).toContain('https://pubmed.ncbi.nlm.nih.gov/23365053/');
  });

  it('its limits: small, the aura only, class III', () => {
    expect(body).toContain('It measured the aura, not the headache that follows, and not how often attacks come.');
    expect(body).toContain('class III evidence');
    expect(body).toContain('an aneurysm or serious heart disease');
  });
});

// Each of these is in the clinic's article and not in the papers (as in sequences.test.ts), or overstates the trial.
const overstatements = [
  /90 minutes/,
  /lasting relief/i,
  /relief that lasted/i,
  /reset/i,
  /used safely/i,
  /\b49%/,
  /over one-third/i,
  /weeks or even months/i,
  /shorter aura/i,
  /stops? (the )?aura/i,
];
describe('no interest email repeats an overstatement', () => {
  it.each(overstatements.map((pattern) => [String(pattern), pattern] as const))('none says %s', (_name, pattern) => {
    for (const [id, body] of Object.entries(text)) expect(body, id).not.toMatch(pattern);
  });
});
