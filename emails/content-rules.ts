/**
 * What every email must say and must not say. `npm run check:emails` (and `npm test`) hold every email to these.
 * Marketing edits this file: add a rule to `claims` and every email is checked for it from then on.
 *
 * HOW A CLAIM RULE READS
 *
 * The checker reads every sentence of an email (subject, preview text, the email as a reader sees it, the
 * plain-text version, image alt text) and stops a sentence that uses a rule's `words` or `forms`, unless the
 * sentence says it honestly (`unless`). It ignores capitals, line breaks, non-breaking and invisible spaces, curly
 * versus straight quotes and apostrophes, and whether words are joined by a space, a hyphen or nothing: "pain free"
 * also finds "Pain-free", "painfree" and "pain-⏎free". It matches whole words only: "cure" never finds "secure",
 * "procure", "manicure", "accurate" or "obscure". Dots in abbreviations do not count: "FDA" finds "F.D.A.".
 *
 *   words    exact phrases: every character means itself.               'wonder drug', 'magic bullet'
 *   forms    phrases written with these signs:
 *              cure*          the word and its simple forms:              cure, cures, cured, curing, curer;
 *                             -s, -es, -ed, -d, -ing, -ly, -er, -est,     safe* finds safe, safely, safer, safest
 *                             and y → -ies/-ied ("remedy*")               (forms that double a letter, like
 *                                                                         "stopped", need {stop,stopped})
 *              {a,b,c}        any one of these (each may be a phrase):    {100,one hundred} {%,percent,per cent}
 *              [a,b]          optionally one of these:                    [clinically,scientifically] proven
 *              #              any number: 5, 4.9, 1,000                   # out of 5 stars
 *   unless   honest ways to say it. A sentence passes when one of these (written like `forms`)
 *              - comes shortly before the match, in the same part of the sentence: at most 4 words between,
 *                and no comma, semicolon, colon, dash, bracket or "but"/"however"/"although" between.
 *                That is how negations work: "not safe for everyone", "has not been proven", "no cure".
 *                "not only"/"not just", "no doubt", "no matter" and "no more"/"no less" do not count as negations.
 *              - or contains the match: "safe place" lets "keep it in a safe place" through, but not "safe".
 *   quotes   stops a quotation (in quotation marks) that contains one of these words: ['I', 'me', 'my'] stops
 *            “Ketamine gave me my life back”.
 *   instead  what to write instead (shown as the fix).
 *   why      why the clinic must not say it (shown with the problem). Optional.
 *
 * Example: to stop "slashes your migraines" but not "does not slash migraine days for everyone", add to `claims`
 *   {
 *     words: ['migraine buster'],
 *     forms: ['{slash,slashes,slashed,slashing} [your] migraine*'],
 *     unless: negations,
 *     instead: 'Give the change in migraine days a study measured, with its source link.',
 *     why: 'Fewer migraines is a result no study shows for everyone.',
 *   },
 * and run `npm run check:emails`.
 */

export interface ClaimRule {
  /**
   * Exact phrases, matched as whole words, ignoring case, line breaks, and hyphen versus space versus nothing:
   * "cure" finds "Cure" but not "secure"; "FDA-approved" also finds "FDA approved". List every form you mean, or
   * use `forms`.
   */
  words: readonly string[];
  /** Phrases with word forms and choices: `cure*`, `{a,b}`, `[optional]`, `#` (see the top of this file). */
  forms?: readonly string[];
  /** Negations and honest phrasings that let a sentence through (see the top of this file). */
  unless?: readonly string[];
  /** Words that make a quotation in quotation marks a claim (a patient's words: "I", "me", "my"). */
  quotes?: readonly string[];
  /** Shown when an email uses one of them: what to write instead. */
  instead: string;
  /** Why the clinic must not say it. Without one, the message says a health claim needs evidence. */
  why?: string;
}

/**
 * Words that, shortly before a claim in the same part of a sentence, make it honest: "is not safe for everyone",
 * "has not been proven", "there is no cure". "un" and "non" catch "un-proven" and "non-FDA-approved".
 * A rule uses them with `unless: negations` or `unless: [...negations, 'another phrase']`.
 */
export const negations: readonly string[] = [
  'not',
  'no',
  'never',
  'nor',
  'neither',
  'none',
  'nothing',
  'without',
  'cannot',
  "can't",
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "aren't",
  "wasn't",
  "weren't",
  "won't",
  "hasn't",
  "haven't",
  "hadn't",
  "shouldn't",
  "wouldn't",
  "couldn't",
  'un',
  'non',
];

/**
 * Claims the clinic must not make without evidence it can show (the FTC asks that health claims be backed by
 * competent and reliable scientific evidence). Each rule is one kind of claim; add a phrase to a rule, or a rule.
 */
export const claims: readonly ClaimRule[] = [
  {
    // Cures, in any form. "There is no cure for migraine" and "ketamine is not a cure" are honest and pass.
    words: [],
    forms: ['cure*', 'curative', 'cure all'],
    unless: negations,
    instead: 'Say what a study found, with its source link, e.g. "pain scores fell in a study of 77 patients".',
    why: 'Migraine has no cure, and no study shows ketamine cures it.',
  },
  {
    words: ['guaranty'],
    forms: ['guarantee*', '{promise,promises,promised} [you] {relief,results,success,recovery}'],
    unless: negations,
    instead: 'Promise only what the clinic controls (a free consultation, an estimate), never a result.',
    why: 'No treatment works for everyone: a promised result is one the clinic cannot keep.',
  },
  {
    // Relief for good. "Never have a migraine again" has its own "never"; only a negation before it counts.
    words: [],
    forms: [
      '{heal*,cure*,fix*,end*,stop*,relieve*,eliminate*,banish*,beat} [your,the,all,all your] [migraine*,headache*,pain] {for good,forever,permanently,for life}',
      '{gone,over,rid of,free} [of] [your,the] [migraine*,headache*,pain] {for good,forever,permanently}',
      'permanent* {relief,cure,results,solution,fix,end,remission,recovery}',
      'permanently {heal*,cure*,fix*,end*,stop*,relieve*,eliminate*,gone}',
      'never {have,get,suffer,experience,feel} [a,another,any] {migraine*,headache*,attack*,pain} again',
      '{end*,eliminate*,banish*,eradicate*} {your,all,all your} {migraine*,headache*}',
      '{put,puts} an end to [your,all] {migraine*,headache*}',
      'say* goodbye to [your] {migraine*,headache*,pain}',
    ],
    unless: negations,
    instead: 'Say how long relief lasted in a study, with its source link, and that results vary.',
    why: 'The studies followed people for weeks or months: none shows relief that lasts for good.',
  },
  {
    // "Proven". Honest: "not proven", "has not been proven", "unproven", "un-proven"; "needed to prove" too.
    words: [],
    forms: ['[clinically,scientifically,medically] {proven,proved,prove,proves}'],
    unless: [...negations, 'to prove'],
    instead:
      'Say what a study found and how large it was, with its source link: "in a study of 77 patients, pain scores fell".',
    why: 'The evidence for ketamine in migraine is early (small studies, mostly without a comparison group): "proven" overstates it.',
  },
  {
    // Safety claims, "used safely in hospitals for decades" included. Honest: "not safe for everyone", "whether it
    // is safe for you". Storage and getting home are not health claims: "keep it in a safe place", "store it
    // safely", "get home safely".
    words: ['harmless', 'riskless', 'non-addictive', 'not addictive'],
    forms: [
      '[completely,perfectly,totally,entirely,absolutely,very,extremely,proven] safe*',
      'risk free',
      '{no,zero,without,free of,free from} [any] risk*',
    ],
    unless: [
      ...negations,
      'whether',
      'safe {place,places,spot}',
      '{keep,keeps,kept,store,stores,stored,lock,locks,locked} [it,them,the spray,your spray,the medicine,your medicine] [away] safe*',
      'safely {stored,locked,kept}',
      '{home,ride home} safe*',
      'feel safe*',
    ],
    instead:
      'Name the risks, who should not have ketamine, and how patients are monitored, as the side-effects email does.',
    why: 'Ketamine has real risks and is not safe for everyone: a blanket safety claim needs evidence the clinic does not have.',
  },
  {
    // "Every treatment has side effects" is honest and passes. "No side effects were serious" is stopped (it
    // opens with "no side effects"): write "none of the side effects were serious".
    words: [],
    forms: [
      '{no,zero,without,free of,free from,never any} [any] {side,adverse} {effect*,reaction*}',
      '{side,adverse} effect* free',
    ],
    unless: negations,
    instead: 'Every treatment has side effects: name the common ones and how they are watched for.',
    why: 'Ketamine has common side effects (a detached feeling, dizziness, nausea, a rise in blood pressure).',
  },
  {
    // Freedom from pain. "Migraine-free days" and "headache-free days" are how studies count results (the
    // change in days without migraine), not a promise, so they pass; a study number still needs its source link.
    words: [],
    forms: [
      '{pain,migraine,migraines,headache,headaches,symptom,symptoms} free',
      'free {of,from} [all,your] {pain,migraine*,headache*,symptoms}',
    ],
    unless: [...negations, '{migraine,headache} free day*'],
    instead:
      'Say how much pain or how many migraine days changed in a study, with its source link, and that results vary.',
    why: 'Freedom from pain is a result no study shows for everyone.',
  },
  {
    // 100% in any spelling. "Not 100% effective" and "no treatment works 100% of the time" are honest and pass.
    words: [],
    forms: ['{100,one hundred,a hundred,hundred} {%,percent,per cent}'],
    unless: negations,
    instead: 'Give the number a study measured, with its source link, or say "many people" or "some people".',
    why: 'No treatment works for 100% of people.',
  },
  {
    // Hype. "Breakthrough pain" and "breakthrough migraine" are medical terms (pain that breaks through a
    // preventive) and pass; "not a miracle drug" is honest and passes.
    words: ['wonder drug', 'wonder drugs', 'magic bullet', 'magic bullets', 'life-changing', 'life-saving'],
    forms: [
      'miracle*',
      'miraculous*',
      'breakthrough*',
      'revolution{ary,ise,ize,ised,ized,ising,izing,ises,izes}',
      'game {changer*,changing}',
    ],
    unless: [...negations, 'breakthrough {pain,headache*,migraine*,attack*}'],
    instead: 'Describe what a study found, with its source link, and that results vary.',
    why: 'Hype words promise more than the evidence shows, and the FTC reads them as health claims.',
  },
  {
    // FDA approval, un-negated, is stopped every time, even "FDA-approved as an anesthetic" (true for ketamine):
    // in a migraine email it suggests the FDA approved it for migraine. The footer's "The FDA has not approved
    // ketamine for treating migraine" passes; so does "it is not FDA approved for migraine".
    words: ['FDA-approved for migraine'],
    forms: [
      '{FDA,Food and Drug Administration} [has,have] {approved,cleared,endorsed,authorized,authorised,sanctioned}',
      '{approved,cleared,endorsed,authorized,authorised} by [the] {FDA,Food and Drug Administration}',
      '{FDA,Food and Drug Administration} {approval,clearance,endorsement}',
      '{approved,cleared} {for,to treat} [chronic] {migraine*,headache*}',
    ],
    unless: negations,
    instead:
      'Ketamine is not FDA-approved for migraine: say that its use for migraine is off-label. Leave the FDA out of what ketamine is approved for.',
    why: 'The FDA has not approved ketamine for migraine: any "FDA-approved" reads as if it had.',
  },
  {
    // Testimonials: patients' words and praise presented as what a reader can expect.
    words: [
      'testimonial',
      'testimonials',
      'in their own words',
      'real results',
      'success story',
      'success stories',
      '★',
      '⭐',
      '🌟',
    ],
    forms: [
      '[one of,many of,some of,all of,what] our {patient*,client*} {say*,said,tell*,told,report*,describe*,share*,shared,write*,wrote,rave*,love*,swear*,call*}',
      '{a,one,another} {patient,client} {say*,said,tell*,told,wrote,write*,shared,share*}',
      '{patient*,client*} [often,always] {tell,told} us',
      "{patient,patient's,patients,patients',recovery,real life,client} stor{y,ies}",
      'hear from [our] {patient*,client*}',
      '{hear,see,read} [what] [our] {patient*,client*} {say,are saying,have to say}',
      '{patient,client,google,yelp,# star,five star,5 star} review*',
      '{#,one,two,three,four,five} star*',
      '# out of {5,five} star*',
      '{rated,rating} # {stars,out of 5,out of five}',
    ],
    quotes: ['I', 'me', 'my', 'mine', 'myself', "I'm", "I've", "I'd", "I'll"],
    instead:
      'Leave out patients’ stories, quotes and star ratings. To use one, have the medical director confirm it, and say in the same place what results people generally get, with its source link.',
    why: 'A patient’s story reads as the result a reader can expect: the FTC’s Endorsement Guides require a health testimonial to be backed by evidence and, when results are not typical, to say what results people generally get.',
  },
];

/**
 * The medical disclaimer: every email must contain each of these phrases (the shared layout's footer does).
 * Change the wording in `emails/_shared/layout.tsx`, and these phrases with it.
 */
export const disclaimerPhrases: readonly string[] = ['not medical advice', 'off-label', 'results vary'];
