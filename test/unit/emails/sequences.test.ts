/**
 * The clinic's sequences (emails/sequences.ts).
 *
 * What the medical director signs off: the nurture names every risk and every reason to avoid ketamine early, states
 * the studies as their papers do (with their limits), and repeats none of the clinic article's overstatements.
 * The texts are literal on purpose: a rewrite that drops a risk or rounds a number up fails here.
 */
import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it } from 'vitest';
import { nurture, sequences } from '../../../emails/sequences.ts';
import type { StepTemplate } from '../../../emails/_shared/types.ts';

const squash = (text: string) => text.replace(/\s+/g, ' ');

async function textOf(template: StepTemplate): Promise<string> {
  const props = template.PreviewProps;
  const text = await render(createElement(template, props), { plainText: true });
  return squash(`${template.subject(props)}\n${template.preview(props)}\n${text}`);
}

const byId = new Map(
  await Promise.all(nurture.steps.map(async (step) => [step.id, await textOf(step.template)] as const)),
);
const order = nurture.steps.map((step) => step.id);
/** The educational emails: everything between the welcome and the last invitation. */
const educational = order.filter((id) => id !== 'welcome' && id !== 'last-invitation');
const text = (id: string) => byId.get(id) ?? '';

describe('risks reach a lead early', () => {
  it('who should avoid ketamine and its side effects come within the first three educational emails, before the research and the cost', () => {
    const firstThree = educational.slice(0, 3);
    expect(firstThree).toEqual(expect.arrayContaining(['who-it-helps', 'side-effects']));
    for (const late of ['the-research', 'cost-and-financing']) {
      expect(order.indexOf(late)).toBeGreaterThan(order.indexOf('side-effects'));
      expect(order.indexOf(late)).toBeGreaterThan(order.indexOf('who-it-helps'));
    }
  });

  const contraindications = [
    'high blood pressure that is not under control',
    'an aneurysm',
    'serious heart disease',
    'raised pressure inside the head or in the eyes',
    'liver disease',
    'psychosis or schizophrenia, now or in the past',
    'a substance use disorder, or past misuse',
    'pregnancy',
    'breastfeeding',
  ];
  it.each(contraindications)('the who-it-helps email names "%s" as a reason to avoid it', (phrase) => {
    expect(text('who-it-helps')).toContain(phrase);
  });

  const risks = [
    'Schedule III controlled substance',
    'can be misused',
    'become dependent',
    'bladder damage',
    'liver injury',
    'blurred or double vision',
    'hallucinations',
    'do not drive, and do not drink alcohol, after a dose',
    'keep it locked away',
    "never take more than your prescriber's limits",
  ];
  it.each(risks)('the side-effects email names "%s"', (phrase) => {
    expect(text('side-effects')).toContain(phrase);
  });
});

describe('the studies, as their papers report them', () => {
  it('the IV study: multi-day hospital infusions, 7.1 to 3.8, 55 of 77 early responders, 15 of 77 lasting and not significant, no comparison group', () => {
    const research = text('the-research');
    expect(research).toContain('77 people with chronic migraine or new daily persistent headache');
    expect(research).toContain(
      'multi-day infusions, 4.8 days on average, which is not the same as an outpatient session',
    );
    expect(research).toContain('from 7.1 out of 10 on admission to 3.8 at discharge');
    expect(research).toContain('55 of the 77 had improved by at least 2 points');
    expect(research).toContain(
      'only 15 of the 77 still had that benefit, and this lasting effect was not statistically significant',
    );
    expect(research).toContain('https://doi.org/10.1111/head.13013');
  });

  it('the spray study: one center, telephone interviews, 49.1% and 35.5%, and the 74.0% with a side effect', () => {
    const research = text('the-research');
    expect(research).toContain('a single headache center interviewed 169 people');
    expect(research).toContain('by telephone');
    expect(research).toContain('49.1% called it "very effective"');
    expect(research).toContain('35.5% said their quality of life was "much better"');
    expect(research).toContain('74.0% reported at least one side effect');
    expect(research).toContain('https://doi.org/10.1136/rapm-2022-104223');
  });

  it('the aura trial: 30 randomized against midazolam, 18 completed, severity but not duration', () => {
    const research = text('the-research');
    expect(research).toContain(
      '30 people with prolonged migraine aura were randomly given a ketamine or a midazolam nasal spray, and 18 completed it',
    );
    expect(research).toContain('less severe, but not shorter');
    expect(research).toContain('https://pubmed.ncbi.nlm.nih.gov/23365053/');
  });

  // Each of these is in the clinic's article and not in the papers.
  const overstatements = [
    /90 minutes/,
    /lasting relief/i,
    /relief that lasted/i,
    /most (felt|experienced|reported) relief/i,
    /reset/i,
    /used safely/i,
    /\b49%/,
    /over one-third/i,
    /weeks or even months/i,
  ];
  it.each(overstatements.map((pattern) => [String(pattern), pattern] as const))(
    'no nurture email says %s',
    (_name, pattern) => {
      for (const [id, body] of byId) expect(body, id).not.toMatch(pattern);
    },
  );

  it('no study is linked through a search page', () => {
    for (const [id, body] of byId) expect(body, id).not.toMatch(/[?&]term=/);
  });
});

describe('the clinic’s sequences', () => {
  it('use each step id once across all sequences, since a lead’s sent steps span them', () => {
    const ids = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => step.id));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
