/**
 * The source checks behind `npm run check:emails`: every study number and every study link in an email must come
 * from the source registry, emails/sources.ts. In what follows, a "paragraph" is the paragraph, list item, quote or
 * heading a sentence sits in, and a paragraph "cites" a source when it links to it (that is what <Cite> does).
 * Two rules report what they find.
 *
 * Rule `citations`: a paragraph that talks about a study (a study, trial, review, survey or paper, with a number,
 * "et al." or "and colleagues"), or states a percentage, a count of people or a year, but links to no study at
 * all. One problem per paragraph; the fix names the registry source that holds each of its numbers, if one does.
 *
 * Rule `sources`:
 *
 * 1. Links. A link to a study must be the address a registry source gives (its `url`), which is what
 *    <Cite source={…}/> writes. A link is a study link when it goes to doi.org, PubMed or PubMed Central, a journal
 *    or publisher, a preprint server, a trial registry, DailyMed or the FDA's label site, or has a DOI in it.
 *    - A search (PubMed's `?term=`, Google Scholar, a `?q=` on those sites) is always refused: it shows whatever
 *      matches on the day, not one paper. Link the paper itself, by its DOI or PubMed id.
 *    - A study that is not in the registry is refused: add it to emails/sources.ts first.
 *    - A registry paper at another address (its PubMed page when the registry gives its DOI) is refused too: use
 *      <Cite>, so every email links a paper the same way.
 *    Addresses are compared ignoring http versus https, "www.", dx.doi.org versus doi.org, a trailing slash and
 *    the case of a DOI.
 *
 * 2. Numbers. These three kinds are read as study numbers wherever they are:
 *    - a percentage: 49%, 49.1 %, 49.1 percent, forty-nine percent;
 *    - a count of people: a number before people, patients, participants, adults, subjects, volunteers,
 *      migraineurs, women, men, responders… (with up to three words between: "77 adult patients"); a number
 *      before what people did ("18 completed", "30 were randomized", "242 screened", "15 of them");
 *      "55 of the 77"; "of the 169,"; "n = 77". Written as words too: "thirty people";
 *    - a year: any whole number from 1950 to 2099 ("a 2017 review", "in 2023"). Every year an email states is
 *      read as a study year: a reader cannot tell the difference.
 *    Each must be a fact of a source its paragraph cites: a `percent` fact, a `people` fact, or the year the source
 *    was published. The subject line, the preview text and a heading without a link cannot cite, so there each
 *    must be a fact of a source the email cites somewhere in its body.
 *    In a paragraph that cites a study, two more kinds must be facts of a source it cites:
 *    - a length of time: "4.8 days", "90 minutes", "a 3-hour infusion": a fact in that unit (the registry holds
 *      hours, days and months only, so minutes, weeks and years fail until a fact in that unit is added);
 *    - any number with a decimal point: a pain score of 7.1, a mean of 3.8 (usually a `points` fact).
 *    So a paragraph that cites a study states only that study's numbers: put the clinic's own in another paragraph.
 *
 * Never read as study numbers: whole numbers with no unit ("a 0–10 scale", "at least 2 points"); lengths of time
 * and decimals in a paragraph that cites no study ("arrive 15 minutes early", "an attack lasting more than 72
 * hours", "6 months at zero interest", "15 or more days a month"); phone numbers, 911 included; times of day
 * ("10:00 AM"); prices ("$450"); the clinic's postal address from emails/clinic.ts, ZIP code included; web
 * addresses; the name of a source inside its <Cite> link ("Pomeroy et al., Headache, 2017" states no year); and
 * the text of a study link the checks refuse anyway. A number that is not about a study but reads like one (an
 * interest rate, the year the clinic opened) has to be written another way: "zero interest", "for over ten years".
 *
 * The plain-text version of an email is made from the same HTML, so its numbers and links are checked here once.
 * Reading the numbers and links against the registry is `source-analysis.ts`'s job; this module words the problems.
 * Words such as "half", "a third" or "most" are not checked; the claims sheet lists those sentences, with their
 * source, for the medical director.
 */
import { say, sources as defaultRegistry } from '../emails/sources.ts';
import type { BlockKind, LinkInBlock } from './email-blocks.ts';
import type { Problem } from './email-checks.ts';
import {
  dedupe,
  describeBacking,
  type Backing,
  type BlockAnalysis,
  type CheckedNumber,
  type Cited,
  type EmailAnalysis,
  type SentenceAnalysis,
} from './source-analysis.ts';
import type { NumberKind, StatedNumber } from './stated-numbers.ts';
import type { Registry } from './study-links.ts';

const STUDY_WORDS = /\b(stud(y|ies)|trials?|reviews?|surveys?|meta-analys[ie]s|papers?|journals?|researchers)\b/i;
const EVIDENCE_WORDS = /\bet al\b|\band colleagues\b/i;

/** Problems are in words a marketer can act on: what a kind of number is called, and where it is. */
const WHAT: Record<NumberKind, string> = {
  percent: 'percentage',
  people: 'count of people',
  year: 'year',
  duration: 'length of time',
  decimal: 'number',
  other: 'number',
};
const PLACE: Record<BlockKind, string> = {
  subject: 'The subject line',
  preview: 'The preview text',
  heading: 'The heading',
  paragraph: 'This paragraph',
  'list item': 'This list item',
  quote: 'This quote',
  other: 'This part of the email',
};

const short = (text: string, max = 140) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};
const names = (cited: Cited[]) => cited.map((c) => c.source.short).join(' and ');
const cite = (id: string) => `<Cite source={${id}}/>`;

/** The registry's facts of the same kind as `number` in `cited`, closest first. */
function nearest(number: StatedNumber, cited: Cited[]): Backing[] {
  const unit =
    number.kind === 'percent'
      ? 'percent'
      : number.kind === 'people'
        ? 'people'
        : number.kind === 'duration'
          ? number.unit
          : number.kind === 'decimal'
            ? undefined
            : 'none';
  if (number.kind === 'year')
    return cited
      .filter((c) => c.source.year !== undefined)
      .map((c) => ({ id: c.id, source: c.source, year: c.source.year! }));
  return cited
    .flatMap((c) => Object.entries(c.source.facts).map(([key, fact]) => ({ id: c.id, source: c.source, key, fact })))
    .filter(({ fact }) =>
      unit === undefined ? fact.unit !== 'people' && !Number.isInteger(fact.value) : fact.unit === unit,
    )
    .sort((a, b) => Math.abs(a.fact.value - number.value) - Math.abs(b.fact.value - number.value));
}

function numberProblem(
  analysis: BlockAnalysis,
  sentence: SentenceAnalysis,
  checked: CheckedNumber,
  registry: Registry,
): Problem {
  const { number, elsewhere } = checked;
  const { block, mode, cited } = analysis;
  const said = `${PLACE[block.kind]} says "${number.text.trim()}" ("${short(sentence.text, 200)}")`;
  const who = mode === 'title' ? 'the email' : 'this paragraph';
  let problem: string;
  if (cited.length === 0) {
    problem =
      mode === 'cited'
        ? `${said}, but its study link is not a source from emails/sources.ts, so nothing backs this ${WHAT[number.kind]}.`
        : `${said}, but the email cites no source from emails/sources.ts, so nothing backs this ${WHAT[number.kind]}.`;
  } else {
    const thing =
      number.kind === 'year'
        ? `was published in ${number.value}`
        : `reports ${number.text.trim()} as a ${number.kind === 'people' ? 'count of people' : number.kind === 'decimal' ? 'fact' : WHAT[number.kind]}`;
    problem = `${said}, but no source ${mode === 'title' ? 'the email cites' : 'this paragraph cites'} (${names(cited)}) ${thing}.`;
  }
  if (elsewhere.length)
    problem += ` It matches ${elsewhere.map((b) => `${b.source.short} (${describeBacking(b)})`).join('; ')}, which ${who} does not cite.`;

  const fixes: string[] = [];
  if (elsewhere.length) {
    const [first] = elsewhere;
    fixes.push(
      mode === 'title'
        ? `If it comes from ${first!.source.short}, cite it with ${cite(first!.id)} in the paragraph that gives this finding.`
        : `If it comes from ${first!.source.short}, cite it with ${cite(first!.id)} in this paragraph (or move the sentence to the paragraph that cites it).`,
    );
  } else {
    // The closest registry number of the same kind: from the sources cited here, or else from the sources this
    // paragraph's other numbers come from, or else from the whole registry.
    const related = dedupe(
      analysis.numbers.flatMap((n) => [...n.backing, ...n.elsewhere]).map((b) => ({ id: b.id, source: b.source })),
    );
    const everything = Object.entries(registry).map(([id, source]) => ({ id, source }));
    const pools = number.kind === 'year' ? [cited, related] : [cited, related, everything];
    const close = pools.map((pool) => nearest(number, pool)[0]).find(Boolean);
    if (cited.length === 0) fixes.push('Cite the study it comes from with <Cite source={…}/> from emails/sources.ts.');
    if (close && 'fact' in close)
      fixes.push(
        `The registry's closest ${WHAT[number.kind]} is ${say(close.fact)}, ${close.fact.measures}, in ${close.fact.population} (${close.source.short}): to state it, write {say(${close.id}.facts.${close.key})}.`,
      );
    else if (close && 'year' in close)
      fixes.push(
        `If you mean ${close.source.short}, write ${close.year}, the year it was published ({${close.id}.year}).`,
      );
    fixes.push(
      number.kind === 'year'
        ? 'If it is about another study, add that study to emails/sources.ts (after reading it) and cite it. If it is not about a study at all, write it without a number: every year in an email reads as a study year.'
        : `If the paper does report ${number.text.trim()}, add it to ${cited.length === 1 ? `${cited[0]!.id}.facts` : 'the facts of the source it comes from'} in emails/sources.ts, with what it measures and in whom, after checking it against the paper.${mode === 'cited' && (number.kind === 'duration' || number.kind === 'decimal') ? ' If it is the clinic’s own number, put it in a paragraph that cites no study.' : ''}`,
    );
  }
  return { rule: 'sources', problem, fix: fixes.join(' ') };
}

function linkProblem(analysis: BlockAnalysis, link: LinkInBlock): Problem | undefined {
  const { block } = analysis;
  const sentence = analysis.sentences.find((s) => link.start >= s.start && link.start < s.end)?.text ?? block.text;
  const where = `(the link "${short(link.text, 60)}" in "${short(sentence, 160)}")`;
  // Suggest the registry sources this block's numbers come from.
  const matches = dedupe(
    analysis.numbers.flatMap((n) => [...n.backing, ...n.elsewhere]).map((b) => ({ id: b.id, source: b.source })),
  );
  const hint = matches.length
    ? ` Its numbers match ${matches.map((m) => `${m.source.short}: ${cite(m.id)}`).join('; ')}.`
    : '';
  switch (link.verdict.kind) {
    case 'search':
      return {
        rule: 'sources',
        problem: `It links to a search, not to a paper: ${link.href} ${where}. A search shows whatever matches on the day it is opened, so neither the reader nor the medical director can tell which paper the email means.`,
        fix: `Link the paper itself by its DOI or PubMed id: cite a source from emails/sources.ts with <Cite source={…}/>.${hint} If the paper is not in emails/sources.ts, add it first, with its DOI or PubMed link, after reading it.`,
      };
    case 'study':
      return {
        rule: 'sources',
        problem: `It links to a study that is not in the source registry (emails/sources.ts): ${link.href} ${where}. An email may cite only studies whose facts were checked against the paper and recorded there.`,
        fix: `Add the paper to emails/sources.ts (its citation, year, DOI or PubMed link, design, limits, and one fact for each number the email states, checked against the paper), then cite it with <Cite source={…}/>.${hint}`,
      };
    case 'registry-elsewhere':
      return {
        rule: 'sources',
        problem: `It links to ${link.verdict.source.short} at ${link.href} ${where}, not at the registry's address for it (${link.verdict.source.url}).`,
        fix: `Use ${cite(link.verdict.id)}: it links to the registry's address and names the paper the way every email does.`,
      };
    default:
      return undefined;
  }
}

/** The `sources` rule: study links that are not registry sources, and numbers the cited sources do not hold. */
export function sourceProblems(analysis: EmailAnalysis, registry: Registry = defaultRegistry): Problem[] {
  const problems: Problem[] = [];
  const seenLinks = new Set<string>();
  for (const block of analysis.blocks) {
    for (const link of block.block.links) {
      if (seenLinks.has(link.href)) continue;
      const problem = linkProblem(block, link);
      if (problem) {
        seenLinks.add(link.href);
        problems.push(problem);
      }
    }
    if (block.mode === 'uncited') continue;
    const seen = new Set<string>();
    for (const sentence of block.sentences) {
      for (const checked of sentence.numbers) {
        const key = `${checked.number.kind}:${checked.number.value}:${checked.number.unit ?? ''}`;
        if (!checked.checked || checked.backing.length || seen.has(key)) continue;
        seen.add(key);
        problems.push(numberProblem(block, sentence, checked, registry));
      }
    }
  }
  return problems;
}

/** The `citations` rule: a paragraph that talks about a study, or states a study number, and links to no study. */
export function citationProblems(analysis: EmailAnalysis): Problem[] {
  return analysis.blocks.flatMap((block): Problem[] => {
    if (block.mode !== 'uncited') return [];
    const claims = block.numbers.filter((n) => n.checked);
    const studyTalk =
      STUDY_WORDS.test(block.block.text) && (EVIDENCE_WORDS.test(block.block.text) || claims.length > 0);
    if (!studyTalk && claims.length === 0) return [];
    const quoted = [...new Set(claims.map((n) => `"${n.number.text.trim()}"`))];
    const problem = studyTalk
      ? `${PLACE[block.block.kind]} cites a study without a source link: "${short(block.block.text)}".`
      : `${PLACE[block.block.kind]} states ${quoted.join(', ')} without a source link: "${short(block.block.text)}". A percentage, a count of people or a year in an email reads as a study finding.`;
    const hints = [...new Map(claims.map((n) => [`${n.number.kind}:${n.number.value}`, n])).values()].map((n) =>
      n.elsewhere.length
        ? `"${n.number.text.trim()}" matches ${n.elsewhere.map((b) => `${b.source.short} (${describeBacking(b)}): ${cite(b.id)}`).join(', or ')}.`
        : `"${n.number.text.trim()}" is in no registry source: add the paper and that fact to emails/sources.ts after checking it against the paper, or leave the number out.`,
    );
    const fix = [
      'Link the study in the same paragraph with <Cite source={…}/>, naming a source from emails/sources.ts.',
      ...hints,
      ...(studyTalk
        ? []
        : [
            'If the number is not from a study (a price, a rate, the year the clinic opened), write it in words: "zero interest", "for over ten years".',
          ]),
    ].join(' ');
    return [{ rule: 'citations', problem, fix }];
  });
}
