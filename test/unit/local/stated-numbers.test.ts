import { describe, expect, it } from 'vitest';
import { clinic } from '../../../emails/clinic.ts';
import { numbersIn, sentencesOf, type NumberKind } from '../../../local/stated-numbers.ts';

const kinds = (text: string) =>
  numbersIn(text, { clinic }).map((n) => `${n.kind} ${n.value}${n.unit ? ` ${n.unit}` : ''}`);

describe('numbersIn: which numbers read as study numbers', () => {
  it.each([
    ['49%', ['percent 49']],
    ['spray,49.1% rated it', ['percent 49.1']],
    ['49.1 % of them', ['percent 49.1']],
    ['49.1 percent, 35.5 per cent and a 65.1-percent share', ['percent 49.1', 'percent 35.5', 'percent 65.1']],
    ['forty-nine percent said so', ['percent 49']],
    ['a review of 77 patients', ['people 77']],
    ['169 people using the spray', ['people 169']],
    ['77 adult patients, 169 refractory chronic migraine patients', ['people 77', 'people 169']],
    ['55 of the 77 responded', ['people 55', 'people 77']],
    ['15 of 77 kept the benefit', ['people 15', 'people 77']],
    ['7 out of 10 people', ['people 7', 'people 10']],
    ['18 completed it', ['people 18']],
    ['15 of them still had the benefit', ['people 15']],
    ['30 people were randomized', ['people 30']],
    ['30 were randomized and 242 screened', ['people 30', 'people 242']],
    ['n = 77 and n=169', ['people 77', 'people 169']],
    ['Of the 169, most kept using it', ['people 169']],
    ['thirty people and twenty-one migraineurs', ['people 30', 'people 21']],
    ['2,000 patients', ['people 2000']],
    ['a 2017 review', ['year 2017']],
    ['records from 2006–2014', ['year 2006', 'year 2014']],
    ['relief within 90 minutes', ['duration 90 minutes']],
    ['an infusion of 4.8 days', ['duration 4.8 days']],
    ['a 3-hour infusion', ['duration 3 hours']],
    ['pain fell from 7.1 to 3.8', ['decimal 7.1', 'decimal 3.8']],
  ])('"%s" → %j', (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it.each([
    'Please come 15 minutes early to fill in a short health form.',
    'We offer financing with 6 months at zero interest.',
    'Chronic migraine, meaning headache on 15 or more days a month.',
    'An attack lasting more than 72 hours.',
    'Call 911 if you have chest pain.',
    'Call us at +1 (478) 555-0100 or 478-555-2017.',
    'Your appointment is Tuesday, December 1 at 10:00 AM EST.',
    '100 Example Street, Suite 200 · Macon, GA 31201 · United States',
    'A session costs $2,017, or $450 a month.',
    'Pain on a 0–10 scale, at least 2 points lower.',
    '15 minutes early for patients who drive.',
    '2 sessions for most patients; 3 of 4 sessions.',
    'Three studies, their numbers; one person at a time; two main ways.',
    'Read more at https://clinic.example/2017/ketamine.',
  ])('no percentage, count of people or year in "%s"', (text) => {
    const claims: NumberKind[] = ['percent', 'people', 'year'];
    expect(numbersIn(text, { clinic }).filter((n) => claims.includes(n.kind))).toEqual([]);
  });

  it('quotes each number as the email writes it, and skips hidden ranges (a <Cite> name)', () => {
    const text = 'Of 242 screened, 55 of the 77 responded (Pomeroy et al., Headache, 2017).';
    const cite = text.indexOf('Pomeroy');
    expect(
      numbersIn(text, { hidden: [[cite, cite + 'Pomeroy et al., Headache, 2017'.length]] }).map((n) => n.text),
    ).toEqual(['242 screened', '55 of the 77', '77']);
  });
});

describe('sentencesOf', () => {
  const split = (text: string) => sentencesOf(text).map(({ start, end }) => text.slice(start, end));
  it('splits at a full stop before a capital, a line break, but not after et al., e.g. or a decimal point', () => {
    expect(
      split(
        'Pomeroy et al. found 77. Pain fell from 7.1 to 3.8 (Pomeroy et al., Headache, 2017). See e.g. This.\n· a list line;',
      ),
    ).toEqual([
      'Pomeroy et al. found 77.',
      'Pain fell from 7.1 to 3.8 (Pomeroy et al., Headache, 2017).',
      'See e.g. This.',
      '· a list line;',
    ]);
  });
});
