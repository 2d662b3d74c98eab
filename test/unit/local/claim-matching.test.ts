/**
 * The claims rule reads like a reviewer: it stops a claim in its many phrasings (word forms, hyphens, quotes,
 * invisible characters) and lets honest sentences through (negations, honest phrasings). Each case is a sentence.
 */
import { describe, expect, it } from 'vitest';
import { claims, disclaimerPhrases, negations, type ClaimRule } from '../../../emails/content-rules.ts';
import { checkTemplate, formatProblems } from '../../../local/email-checks.ts';
import { emailsFromFiles } from '../../../local/email-templates.ts';
import {
  claimProblems,
  claimsInSentence,
  compileRule,
  formsOf,
  normalize,
  PatternError,
  patternRegExp,
  sentencesOf,
  SENTENCE_MAX,
} from '../../../local/claim-matching.ts';

/** What the rules find in one sentence: the words as written. */
const said = (sentence: string, rules: readonly ClaimRule[] = claims) =>
  claimsInSentence(sentence, rules).map((finding) => finding.said);

/** Claims the rules must stop, and the words each is stopped for (as the sentence writes them). */
const mustStop: Array<[string, string]> = [
  // cures
  ['Ketamine cures migraine.', 'cures'],
  ['Finally, a cure for migraine.', 'cure'],
  ['Many patients were cured after three sessions.', 'cured'],
  ['We are curing migraines one infusion at a time.', 'curing'],
  ['Ketamine has a curative effect on chronic migraine.', 'curative'],
  ['It is the cure-all you have been waiting for.', 'cure-all'],
  ['CURE YOUR MIGRAINES TODAY', 'CURE'],
  // guarantees
  ['We guarantee relief.', 'guarantee'],
  ['Results guaranteed!', 'guaranteed'],
  ['We are guaranteeing fewer migraine days.', 'guaranteeing'],
  ['Every session comes with our guarantees.', 'guarantees'],
  ['We promise you relief.', 'promise you relief'],
  // for good
  ['Ketamine heals migraines for good.', 'heals migraines for good'],
  ['Our infusions heal your migraines forever.', 'heal your migraines forever'],
  ['Your migraines will be gone for good.', 'gone for good'],
  ['Get permanent relief from migraine.', 'permanent relief'],
  ['It permanently ends migraine attacks.', 'permanently ends'],
  ['You may never have a migraine again.', 'never have a migraine again'],
  ['End your migraines with ketamine.', 'End your migraines'],
  ['Say goodbye to migraines.', 'Say goodbye to migraines'],
  // proven
  ['Our protocol is clinically proven.', 'clinically proven'],
  ['A clinically-proven treatment for migraine.', 'clinically-proven'],
  ['Ketamine is proven to stop migraine attacks.', 'proven'],
  ['It is scientifically proven to work.', 'scientifically proven'],
  ['Studies prove that ketamine works.', 'prove'],
  // safe, risk-free
  ['Ketamine is safe.', 'safe'],
  ['Ketamine is completely safe.', 'completely safe'],
  ['Ketamine is perfectly safe when given by our team.', 'perfectly safe'],
  ['Ketamine has been used safely in hospitals for decades.', 'safely'],
  ['It is safer than opioids.', 'safer'],
  ['A risk-free way to treat migraine.', 'risk-free'],
  ['Try it risk free.', 'risk free'],
  ['There is no risk.', 'no risk'],
  ['Relief without risk.', 'without risk'],
  ['Ketamine is harmless at these doses.', 'harmless'],
  ['Ketamine is non-addictive.', 'non-addictive'],
  // side effects
  ['No side effects.', 'No side effects'],
  ['There are zero side effects.', 'zero side effects'],
  ['Treat migraine without side effects.', 'without side effects'],
  ['A side-effect-free option.', 'side-effect-free'],
  ['It is free of side effects.', 'free of side effects'],
  ['There were no adverse effects.', 'no adverse effects'],
  ['No side effects were serious.', 'No side effects'],
  // pain-free
  ['Wake up pain-free.', 'pain-free'],
  ['Imagine being pain free.', 'pain free'],
  ['Imagine being painfree.', 'painfree'],
  ['Be free from pain again.', 'free from pain'],
  ['Live free of pain.', 'free of pain'],
  ['Become migraine-free in a week.', 'migraine-free'],
  // 100%
  ['It works 100% of the time.', '100%'],
  ['It works 100 % of the time.', '100 %'],
  ['It works 100 percent of the time.', '100 percent'],
  ['A 100-percent success rate.', '100-percent'],
  ['We are one hundred percent sure it will help.', 'one hundred percent'],
  ['We are a hundred per cent committed to your relief.', 'a hundred per cent'],
  // hype
  ['It is a miracle for migraine.', 'miracle'],
  ['Patients call it miraculous.', 'miraculous'],
  ['A breakthrough treatment for migraine.', 'breakthrough'],
  ['This revolutionary therapy changes everything.', 'revolutionary'],
  ['Ketamine is a game-changer for migraine.', 'game-changer'],
  ['A game changing approach to migraine.', 'game changing'],
  ['It is a wonder drug.', 'wonder drug'],
  ['Ketamine is the magic bullet for migraine.', 'magic bullet'],
  // FDA (all un-negated ones, anesthesia included: see emails/content-rules.ts)
  ['Ketamine is FDA-approved.', 'FDA-approved'],
  ['Ketamine is FDA approved for anesthesia.', 'FDA approved'],
  ['Ketamine was approved by the FDA in 1970.', 'approved by the FDA'],
  ['Ketamine is F.D.A. approved.', 'F.D.A. approved'],
  ['The FDA has approved ketamine for migraine.', 'FDA has approved'],
  ['Our nasal spray device is FDA-cleared.', 'FDA-cleared'],
  ['Ketamine is approved for migraine.', 'approved for migraine'],
  // testimonials
  ['“Ketamine gave me my life back” – Sarah, patient', '“Ketamine gave me my life back”'],
  ['"I was migraine-free after one session," says Mark.', '"I was migraine-free after one session,"'],
  ['One of our patients told us it changed her life.', 'One of our patients told us'],
  ['Our patients say it works.', 'Our patients say'],
  ['Patients tell us they feel like themselves again.', 'Patients tell us'],
  ['Read our patient stories.', 'patient stories'],
  ['See our success stories.', 'success stories'],
  ['Rated 4.9 out of 5 stars by our patients.', 'Rated 4.9 out of 5 stars'],
  ['★★★★★ Best clinic in Georgia', '★★★★★'],
  ['Read the testimonials from people like you.', 'testimonials'],
  // a negation that does not reach, or is no negation
  ['Not only safe, but effective.', 'safe'],
  ['There is no doubt that ketamine is safe.', 'safe'],
  ['It is not expensive, and it is completely safe.', 'completely safe'],
  ['Ketamine is not a cure, but it is guaranteed to help.', 'guaranteed'],
  ["Don't worry, it's safe.", 'safe'],
  ["Don't miss this breakthrough.", 'breakthrough'],
  ['Never settle for less than a cure.', 'cure'],
  ['No needles\nCompletely safe', 'Completely safe'],
];

/** Honest sentences the rules must let through. */
const mustPass: string[] = [
  // FDA
  'Ketamine is not FDA-approved for migraine.',
  'The FDA has not approved ketamine for treating migraine, so its use for migraine is off-label.',
  'Its use for migraine is off-label, meaning it is not FDA approved for migraine.',
  'Ketamine is not approved by the FDA for migraine.',
  'Ketamine has never been approved by the FDA for migraine.',
  'Ketamine has been used as an anesthetic since the 1970s.',
  // side effects
  'Every treatment has side effects, and ketamine is no exception.',
  'Side effects usually fade within an hour or two.',
  'None of the side effects were serious.',
  'Serious reactions are uncommon, but they do happen.',
  // proven
  'It has not been proven in large controlled trials.',
  'Its benefit for migraine is unproven.',
  'Its benefit for migraine remains un-proven.',
  'The benefit has not yet been clinically proven.',
  'More research is needed to prove that it works.',
  // safe
  'Ketamine is not safe for everyone.',
  'Your history decides whether ketamine is safe for you.',
  'Ketamine has not been shown to be safe for everyone.',
  'Lock the spray away in a safe place.',
  'Store it safely, locked away from children.',
  'Make sure someone can get you home safely.',
  'Ketamine is not without risk.',
  'There is no risk-free treatment for migraine.',
  'If you have questions about safety, ask us.',
  // cures, guarantees, promises
  'There is no cure for migraine.',
  'Ketamine is not a cure.',
  'We cannot promise a cure.',
  'Results are not guaranteed.',
  'There are no guarantees with any treatment.',
  'We cannot promise reimbursement.',
  'It does not mean you will never have a migraine again.',
  'Results vary from person to person.',
  // 100%, hype
  'Ketamine is not 100% effective.',
  'No treatment works 100% of the time.',
  'Ketamine is not a miracle drug.',
  'Some patients have breakthrough migraines despite preventives.',
  'Early results are promising, but the studies were small.',
  // outcome measures and study numbers
  'Migraine-free days rose in a small study.',
  'The study counted headache-free days.',
  'In one study, pain scores fell from 7.1 to 3.8.',
  'In a 2023 study of 169 people, 49% rated it very effective.',
  'Seven out of 10 patients had fewer migraine days in the study.',
  "These were patients' own reports, gathered after the fact.",
  // words that contain a claim word
  'Your data is secure.',
  'We procure the medicine from licensed pharmacies.',
  'Get a manicure while you wait.',
  'We want our numbers to be accurate.',
  'The cause of the pain can be obscure.',
  'Ketamine infusion is a procedure that takes a few hours.',
  // the emails' everyday words
  'A free consultation is the easiest place to start.',
  'We offer financing with 6 months at zero interest.',
  'Ketamine Center of Central Georgia · 100 Example Street, Suite 200 · Macon, GA 31201',
  'Dr. Lee said the results were encouraging in a small trial.',
];

describe('claims it must stop, in their many phrasings', () => {
  it.each(mustStop)('%s', (sentence, words) => {
    expect(said(sentence)).toContain(words);
  });
});

describe('honest sentences it lets through', () => {
  it.each(mustPass.map((sentence) => [sentence]))('%s', (sentence) => {
    expect(claimsInSentence(sentence, claims)).toEqual([]);
  });
});

describe('text as an email writes it', () => {
  it.each([
    ['any case', 'KETAMINE IS CLINICALLY PROVEN.', 'CLINICALLY PROVEN'],
    ['a line break', 'Ketamine is clinically\nproven.', 'clinically proven'],
    ['a line break after the hyphen', 'Ketamine is clinically-\nproven.', 'clinically- proven'],
    ['a non-breaking space', 'It works 100\u00a0% of the time.', '100\u00a0%'],
    ['a non-breaking hyphen', 'Wake up pain\u2011free.', 'pain\u2011free'],
    ['a zero-width space inside a word', 'It is a mir\u200bacle.', 'mir\u200bacle'],
    ['a soft hyphen inside a word', 'It is guaran\u00adteed.', 'guaran\u00adteed'],
    ['full-width letters', 'Ketamine is \uff26\uff24\uff21-approved.', '\uff26\uff24\uff21-approved'],
    ['curly quotes', '“I was pain-free in a day.”', '“I was pain-free in a day.”'],
    ['curly apostrophes in a negation', 'It isn’t safe for everyone, and it’s 100% effective.', '100%'],
  ])('%s', (_what, sentence, words) => {
    expect(said(sentence)).toContain(words);
  });

  it('a curly apostrophe negates as a straight one does', () => {
    expect(said('It isn’t safe for everyone.')).toEqual([]);
    expect(said("It isn't safe for everyone.")).toEqual([]);
  });

  it('normalize keeps track of where each character came from', () => {
    const { text, from } = normalize('F.D.A.\u00a0\u00a0approved “x”');
    expect(text).toBe('FDA approved "x"');
    expect(from.slice(0, 4)).toEqual([0, 2, 4, 6]);
  });
});

describe('the pattern language of emails/content-rules.ts', () => {
  const finds = (pattern: string, text: string) => [...text.matchAll(patternRegExp(pattern))].map((match) => match[0]);

  it('word* finds simple forms: -s, -ed, -ing, -ly, -er, -est, and y → -ies', () => {
    expect(formsOf('cure')).toEqual(expect.arrayContaining(['cure', 'cures', 'cured', 'curing']));
    expect(formsOf('guarantee')).toEqual(expect.arrayContaining(['guarantees', 'guaranteed', 'guaranteeing']));
    expect(formsOf('safe')).toEqual(expect.arrayContaining(['safely', 'safer', 'safest']));
    expect(formsOf('remedy')).toEqual(expect.arrayContaining(['remedies']));
    expect(finds('heal*', 'Healing heals; the healed healer.')).toEqual(['Healing', 'heals', 'healed', 'healer']);
  });

  it('matches whole words only', () => {
    expect(finds('cure*', 'secure procure manicure accurate obscure curette')).toEqual([]);
    expect(finds('ere', 'here there')).toEqual([]);
  });

  it('{a,b} is one of these, [a,b] optionally one of these, # any number', () => {
    expect(finds('{100,one hundred} {%,percent}', '100% and one hundred percent and 99%')).toEqual([
      '100%',
      'one hundred percent',
    ]);
    expect(finds('approved by [the] FDA', 'approved by FDA, approved by the FDA')).toEqual([
      'approved by FDA',
      'approved by the FDA',
    ]);
    expect(finds('stor{y,ies}', 'a story, two stories, a storm')).toEqual(['story', 'stories']);
    expect(finds('rated # stars', 'rated 4.9 stars, rated 5 stars, rated highly')).toEqual([
      'rated 4.9 stars',
      'rated 5 stars',
    ]);
  });

  it('a space or hyphen in a pattern is any run of spaces and hyphens, or nothing', () => {
    expect(finds('pain free', 'pain free, pain-free, painfree, pain - free')).toEqual([
      'pain free',
      'pain-free',
      'painfree',
      'pain - free',
    ]);
  });

  it('`words` are exact: the signs of `forms` mean themselves there', () => {
    expect([...'a {b} c*'.matchAll(patternRegExp('{b} c*', true))].map((match) => match[0])).toEqual(['{b} c*']);
  });

  it.each([
    ['{heal,cure', /has a "\{" without its "\}"/],
    ['[clinically proven', /has a "\[" without its "\]"/],
    ['proven]', /has a "\]" without its opening bracket/],
    ['{heal,cure}*', /put it inside, after each word/],
    ['* proven', /does not follow a word/],
    ['', /is empty/],
  ])('a broken pattern says what is wrong with it: %s', (pattern, message) => {
    expect(() => patternRegExp(pattern)).toThrow(PatternError);
    expect(() => patternRegExp(pattern)).toThrow(message);
  });

  it('every rule in emails/content-rules.ts compiles, with an instead', () => {
    for (const rule of claims) {
      expect(() => compileRule(rule)).not.toThrow();
      expect(rule.instead.length).toBeGreaterThan(20);
    }
  });

  it('a rule written the old way (words and instead) still works', () => {
    const rules = [{ words: ['free consultation'], instead: 'Say "a consultation at no cost".' }];
    expect(said('Book a Free-Consultation today.', rules)).toEqual(['Free-Consultation']);
  });

  it('a rule marketing adds with forms and exceptions works as the docs/marketing.md example says', () => {
    const rules: ClaimRule[] = [
      {
        words: ['migraine buster'],
        forms: ['{slash,slashes,slashed,slashing} [your] migraine*'],
        unless: negations,
        instead: 'Give the change in migraine days a study measured, with its source link.',
        why: 'Fewer migraines is a result no study shows for everyone.',
      },
    ];
    expect(said('Ketamine slashes your migraines.', rules)).toEqual(['slashes your migraines']);
    expect(said('Meet the migraine-buster.', rules)).toEqual(['migraine-buster']);
    expect(said('Ketamine does not slash migraine days for everyone.', rules)).toEqual([]);
    expect(claimProblems(['Ketamine slashed migraines in half.'], rules)[0]!.problem).toMatch(
      /^It says "slashed migraines" \("Ketamine slashed migraines in half\."\)\. Fewer migraines/,
    );
  });
});

describe('negations', () => {
  const safe = claims.find((rule) => rule.forms?.some((form) => form.includes('safe*')))!;

  it('reach at most 4 words back', () => {
    expect(said('It has not been shown to be safe.', [safe])).toEqual([]);
    expect(said('It has not yet been shown to be safe.', [safe])).toEqual(['safe']);
  });

  it('stop at a comma, a colon, a dash, a line break or "but"', () => {
    for (const sentence of [
      'Not cheap, safe.',
      'Not cheap: safe.',
      'Not cheap – safe.',
      'Not cheap\nsafe.',
      'Not cheap but safe.',
    ]) {
      expect(said(sentence, [safe]), sentence).toEqual(['safe']);
    }
  });

  it('count only before the claim: "no" inside "no side effects" negates nothing', () => {
    expect(said('There are no side effects.')).toEqual(['no side effects']);
  });
});

describe('sentences', () => {
  it.each([
    ['Dr. Lee is here. She will call.', ['Dr. Lee is here.', 'She will call.']],
    ['It is not F.D.A. approved. Ask us.', ['It is not F.D.A. approved.', 'Ask us.']],
    ['Pain fell from 7.1 to 3.8. Results vary.', ['Pain fell from 7.1 to 3.8.', 'Results vary.']],
    ['Is it for me? Maybe! Ask us.', ['Is it for me?', 'Maybe!', 'Ask us.']],
    ['e.g. this one. Next', ['e.g. this one.', 'Next']],
    ['“I was skeptical. Now I am not.” – Sam. Thanks.', ['“I was skeptical. Now I am not.” – Sam.', 'Thanks.']],
  ])('%s', (paragraph, sentences) => {
    expect(sentencesOf(paragraph)).toEqual(sentences);
  });
});

describe('problems', () => {
  it('one per sentence: the HTML and the plain text of the same sentence are one', () => {
    const html = 'Hi Jordan,\n\nKetamine is clinically proven.';
    const text = 'Hi Jordan,\n\nKETAMINE IS CLINICALLY PROVEN. Source https://clinic.example/proven';
    const problems = claimProblems([html, text], claims);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.problem).toMatch(
      /^It says "clinically proven" \("Ketamine is clinically proven\."\)\. The evidence for ketamine/,
    );
    expect(problems[0]!.fix).toMatch(/^Say what a study found.*The rules are in emails\/content-rules\.ts\.$/);
  });

  it('the same claim in several sentences is one problem listing each', () => {
    const problems = claimProblems(['Guaranteed relief', 'Relief, guaranteed.\n\nIt is guaranteed.'], claims);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.problem).toMatch(
      /^It says "Guaranteed" \("Guaranteed relief"; and again: "Relief, guaranteed\."; "It is guaranteed\."\)/,
    );
  });

  it('several claims in one sentence are one problem, each with why, and each fix once', () => {
    const [problem, ...rest] = claimProblems(['Our patients say it is 100% safe.'], claims);
    expect(rest).toEqual([]);
    expect(problem!.problem).toMatch(
      /^It says "safe" \("Our patients say it is 100% safe\."\)\. Ketamine has real risks.* It also says "100%"\. No treatment works.* It also says "Our patients say"\. A patient’s story/,
    );
    expect(problem!.fix.match(/The rules are in/g)).toHaveLength(1);
  });

  it('a long sentence is trimmed to about 200 characters around the claim', () => {
    const long = `${'Ketamine is given in a quiet room with staff nearby, '.repeat(4)}and it is completely safe, ${'which is what our team says every day to each person who asks, '.repeat(3)}so ask us.`;
    const [problem] = claimProblems([long], claims);
    const quoted = /\("(.*)"\)\./.exec(problem!.problem)![1]!;
    expect(quoted).toContain('completely safe');
    expect(quoted.length).toBeLessThanOrEqual(SENTENCE_MAX + 2);
    expect(quoted).toMatch(/^….*…$/);
  });

  it('link addresses are not read as claims, and the punctuation after one still ends its sentence', () => {
    expect(claimProblems(['Book now: https://clinic.example/guaranteed-cure'], claims)).toEqual([]);
    const [problem] = claimProblems(
      ['See the study (Pomeroy et al., 2017 https://doi.org/10.1111/head.13013). Ketamine is safe.'],
      claims,
    );
    expect(problem!.problem).toMatch(/^It says "safe" \("Ketamine is safe\."\)/);
  });
});

/** Broken templates in test/fixtures/emails, checked as rendered: HTML, plain text, subject and preview. */
describe('a template with a claim fails, naming the sentence and the fix', () => {
  const check = async (fixture: string) => {
    const [email] = await emailsFromFiles([`test/fixtures/emails/${fixture}.tsx`]);
    const problems = await checkTemplate(email!.template, { claims, disclaimerPhrases });
    return { problems, report: formatProblems(email!, problems) };
  };

  it('a testimonial in curly quotes, and "one of our patients told us"', async () => {
    const { problems, report } = await check('testimonial');
    expect(problems.map((p) => p.rule)).toEqual(['claims', 'claims']);
    expect(problems[0]!.problem).toMatch(
      /It says "one of our patients told us" \("Hi Jordan, here is what one of our patients told us last month:"\)\. .*Endorsement Guides/,
    );
    expect(problems[1]!.problem).toMatch(
      /It says "migraine\u2011free" \("“I was migraine\u2011free after one session\. Ketamine gave me my life back\.” – Sarah, patient"\)\. .* It also says “I was migraine/,
    );
    expect(problems[1]!.fix).toMatch(/Leave out patients’ stories, quotes and star ratings/);
    expect(report).toContain('✗ test/fixtures/emails/testimonial.tsx: 2 problems');
  });

  it('"clinically-proven" in the subject and split across a line in the body: one problem, both sentences', async () => {
    const { problems } = await check('proven-across-lines');
    expect(problems.map((p) => p.rule)).toEqual(['claims']);
    expect(problems[0]!.problem).toMatch(
      /^It says "Clinically proven" \("Clinically proven migraine relief"; and again: "Hi Jordan, our treatment is clinically- proven to stop migraine attacks\."\)/,
    );
    expect(problems[0]!.fix).toMatch(/^Say what a study found and how large it was/);
  });
});
