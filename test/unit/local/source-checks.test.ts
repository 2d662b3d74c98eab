import { describe, expect, it } from 'vitest';
import { clinic } from '../../../emails/clinic.ts';
import { say, sources, type Fact, type Source } from '../../../emails/sources.ts';
import { checkTemplate, formatProblems, type Rule } from '../../../local/email-checks.ts';
import { emailsFromFiles } from '../../../local/email-templates.ts';
import { analyzeEmail } from '../../../local/source-analysis.ts';
import { citationProblems, sourceProblems } from '../../../local/source-checks.ts';

/** A one-paragraph email, as HTML, for the analysis itself. */
const email = (body: string, { subject = 'A note', preview = 'A note from the clinic.' } = {}) => ({
  subject,
  preview,
  html: `<html><body>${body}</body></html>`,
  clinic,
});
const cite = (id: keyof typeof sources) => `(<a href="${sources[id].url}">${sources[id].short}</a>)`;
const problems = (e: ReturnType<typeof email>) => {
  const analysis = analyzeEmail(e);
  return [...citationProblems(analysis), ...sourceProblems(analysis)];
};

describe('the registry’s own values pass', () => {
  const sentence = (fact: Fact) =>
    fact.unit === 'people'
      ? `${say(fact)} people took part`
      : fact.unit === 'points'
        ? `a mean of ${say(fact)}`
        : `${say(fact)} in all`;
  it.each(Object.entries(sources) as Array<[string, Source]>)(
    '%s: each fact, stated with say() next to <Cite>, and its year',
    (id, source) => {
      const facts = Object.values(source.facts);
      const text = [
        source.year ? `A ${source.year} paper.` : 'The label.',
        ...facts.map((fact) => `${sentence(fact)}.`),
      ].join(' ');
      expect(problems(email(`<p>${text} ${cite(id as keyof typeof sources)}</p>`))).toEqual([]);
    },
  );

  it('a number in the preview text or subject is backed by a source the body cites', () => {
    const body = `<p>Most rated it well ${cite('yuan2023')}.</p>`;
    expect(
      problems(
        email(body, { preview: `${say(sources.yuan2023.facts.veryEffective)} rated the spray very effective.` }),
      ),
    ).toEqual([]);
    const [problem, ...rest] = problems(
      email(`<p>Pain fell ${cite('pomeroy2017')}.</p>`, { subject: 'Why 49.1% rated the spray very effective' }),
    );
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ rule: 'sources' });
    expect(problem!.problem).toMatch(
      /^The subject line says "49.1%".*no source the email cites \(Pomeroy et al., Headache, 2017\).*It matches Yuan et al., Reg Anesth Pain Med, 2023/,
    );
    expect(problem!.fix).toContain('<Cite source={yuan2023}/> in the paragraph that gives this finding');
  });
});

describe('what the sources rule refuses, and what it leaves alone', () => {
  it('a number from another registry source than the one the paragraph cites', () => {
    const [problem, ...rest] = problems(email(`<p>In all, 49.1% rated it very effective ${cite('pomeroy2017')}.</p>`));
    expect(rest).toEqual([]);
    expect(problem!.problem).toMatch(
      /says "49.1%".*no source this paragraph cites \(Pomeroy et al., Headache, 2017\) reports 49.1%.*It matches Yuan et al., Reg Anesth Pain Med, 2023 \(49.1%: rated intranasal ketamine "very effective"/,
    );
    expect(problem!.fix).toMatch(/cite it with <Cite source=\{yuan2023\}\/> in this paragraph/);
  });

  it('a source named in a <Cite> states no year, but a year typed next to it does', () => {
    expect(problems(email(`<p>Pain fell during the infusion ${cite('pomeroy2017')}.</p>`))).toEqual([]);
    expect(problems(email(`<p>A 2017 review found pain fell ${cite('pomeroy2017')}.</p>`))).toEqual([]);
    expect(
      problems(email(`<p>A 2018 review found pain fell ${cite('pomeroy2017')}.</p>`)).map((p) => p.problem),
    ).toEqual([expect.stringMatching(/says "2018".*was published in 2018/)]);
  });

  it('a link to the registry paper at another address is refused, but its numbers count as cited', () => {
    const [problem, ...rest] = problems(
      email('<p>77 patients were reviewed (<a href="https://pubmed.ncbi.nlm.nih.gov/28025837/">PubMed</a>).</p>'),
    );
    expect(rest).toEqual([]);
    expect(problem!.problem).toMatch(
      /links to Pomeroy et al., Headache, 2017 at https:\/\/pubmed.ncbi.nlm.nih.gov\/28025837\/.*not at the registry's address for it \(https:\/\/doi.org\/10.1111\/head.13013\)/,
    );
    expect(problem!.fix).toContain('<Cite source={pomeroy2017}/>');
  });

  it('a registry link written with http, dx.doi.org, a capital DOI and a trailing slash is the registry link', () => {
    expect(
      problems(
        email('<p>77 patients were reviewed (<a href="http://dx.doi.org/10.1111/HEAD.13013/">the paper</a>).</p>'),
      ),
    ).toEqual([]);
  });

  it('in a paragraph that cites a study, lengths of time and decimals must be its facts too; elsewhere they are the clinic’s', () => {
    expect(problems(email(`<p>The infusion lasted 4.8 days on average ${cite('pomeroy2017')}.</p>`))).toEqual([]);
    expect(
      problems(email(`<p>The infusion lasted 5 days on average ${cite('pomeroy2017')}.</p>`)).map((p) => p.problem),
    ).toEqual([expect.stringMatching(/says "5 days"/)]);
    expect(problems(email(`<p>Pain fell to 3.9 ${cite('pomeroy2017')}.</p>`)).map((p) => p.problem)).toEqual([
      expect.stringMatching(/says "3.9"/),
    ]);
    expect(
      problems(email(`<p>Please come 15 minutes early ${cite('pomeroy2017')}.</p>`)).map((p) => p.problem),
    ).toEqual([expect.stringMatching(/says "15 minutes"/)]);
    expect(
      problems(
        email(
          '<p>Please come 15 minutes early. Sessions last 1.5 hours. Headache on 15 or more days a month, or an attack over 72 hours.</p>',
        ),
      ),
    ).toEqual([]);
  });

  it('whole numbers with no unit in a cited paragraph are not checked (a 0–10 scale, 2 points)', () => {
    expect(
      problems(email(`<p>Pain on a 0–10 scale fell by at least 2 points in 55 of the 77 ${cite('pomeroy2017')}.</p>`)),
    ).toEqual([]);
  });

  it('phone numbers, times, prices, 911 and the clinic’s address are never study numbers', () => {
    const footer = `<p>Call ${clinic.phone} or 911. Visit at 10:00 AM. $2,017 in all. ${clinic.postalAddress.join(' · ')}</p>`;
    expect(problems(email(footer))).toEqual([]);
  });
});

describe('the citations rule: a study number with no study link at all', () => {
  it('names the registry source that holds the number, and says how to cite it', () => {
    const [problem, ...rest] = problems(email('<p>Nearly half, 49.1%, rated it very effective.</p>'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ rule: 'citations' });
    expect(problem!.problem).toMatch(
      /^This paragraph states "49.1%" without a source link: "Nearly half, 49.1%, rated it very effective."/,
    );
    expect(problem!.fix).toContain('"49.1%" matches Yuan et al., Reg Anesth Pain Med, 2023');
    expect(problem!.fix).toContain('<Cite source={yuan2023}/>');
  });

  it('a year the clinic states about itself is read as a study year', () => {
    const [problem] = problems(email('<li>Since 2015 we have treated migraine.</li>'));
    expect(problem).toMatchObject({ rule: 'citations' });
    expect(problem!.problem).toMatch(/^This list item states "2015" without a source link/);
    expect(problem!.fix).toContain('write it in words');
  });
});

/** Each fixture in test/fixtures/emails breaks the registry rules one way, as an edit might. */
const broken: Array<[string, string, Rule, RegExp, RegExp]> = [
  [
    'a percentage rounded off (49% for 49.1%), with a real citation',
    'wrong-percentage',
    'sources',
    /says "49%" \("In a study of 169 people.*\), but no source this paragraph cites \(Yuan et al., Reg Anesth Pain Med, 2023\) reports 49%/,
    /write \{say\(yuan2023\.facts\.veryEffective\)\}/,
  ],
  [
    'a time to relief the cited paper does not report',
    'wrong-time-to-relief',
    'sources',
    /says "90 minutes" \("With the nasal spray, most people felt relief within 90 minutes.*\(Yuan et al., Reg Anesth Pain Med, 2023\) reports 90 minutes as a length of time/,
    /If the paper does report 90 minutes, add it to yuan2023\.facts in emails\/sources\.ts/,
  ],
  [
    'a patient count not in the registry',
    'unregistered-patient-count',
    'sources',
    /says "80 patients".*\(Pomeroy et al., Headache, 2017\) reports 80 patients as a count of people/,
    /closest count of people is 77, patients whose records were reviewed.*\{say\(pomeroy2017\.facts\.patients\)\}\. If the paper does report 80 patients, add it to pomeroy2017\.facts in emails\/sources\.ts/,
  ],
  [
    'a wrong study year',
    'wrong-study-year',
    'sources',
    /says "2016" \("A 2016 review of 77 patients.*\(Pomeroy et al., Headache, 2017\) was published in 2016/,
    /write 2017, the year it was published/,
  ],
  [
    'a PubMed search as the source',
    'pubmed-search-link',
    'sources',
    /links to a search, not to a paper: https:\/\/pubmed\.ncbi\.nlm\.nih\.gov\/\?term=ketamine\+migraine \(the link "PubMed" in "Researchers have found/,
    /Link the paper itself by its DOI or PubMed id/,
  ],
  [
    'a DOI that is not in the registry',
    'unregistered-doi',
    'sources',
    /links to a study that is not in the source registry \(emails\/sources\.ts\): https:\/\/doi\.org\/10\.5555\/12345678/,
    /Add the paper to emails\/sources\.ts/,
  ],
];

describe('a template that breaks the registry rules fails, saying which number or link, where, and how to fix it', () => {
  it.each(broken)('%s', async (_what, fixture, rule, problem, fix) => {
    const [template] = await emailsFromFiles([`test/fixtures/emails/${fixture}.tsx`]);
    const found = await checkTemplate(template!.template);
    expect(
      found.map((p) => p.rule),
      formatProblems(template!, found),
    ).toEqual([rule]);
    expect(found[0]!.problem).toMatch(problem);
    expect(found[0]!.fix).toMatch(fix);
  });

  it('a research email that states every number from the registry, next to its <Cite>, passes every check', async () => {
    const [template] = await emailsFromFiles(['test/fixtures/emails/cited-research.tsx']);
    const found = await checkTemplate(template!.template);
    expect(found, formatProblems(template!, found)).toEqual([]);
  });
});
