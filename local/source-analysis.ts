/**
 * Every number and study link of an email, read against the source registry (emails/sources.ts): which paragraph
 * each sits in, which registry sources that paragraph cites, and which facts (or publication years) back each number.
 * The rules that turn this into problems, and what counts as a study number, are described in `source-checks.ts`;
 * the claims sheet lists the same analysis for the medical director.
 */
import { say, sources as defaultRegistry, type Fact, type Source } from '../emails/sources.ts';
import { blocksOf, type Block, type EmailText } from './email-blocks.ts';
import { blank, numbersIn, sentencesOf, type NumberKind, type StatedNumber } from './stated-numbers.ts';
import type { Registry } from './study-links.ts';

export interface Cited {
  id: string;
  source: Source;
}

/** Where a number comes from in the registry. */
export type Backing =
  { id: string; source: Source; key: string; fact: Fact } | { id: string; source: Source; year: number };

export interface CheckedNumber {
  number: StatedNumber;
  /** Whether the rules look at this number here (a duration in a paragraph that cites nothing is not). */
  checked: boolean;
  /** The facts (or publication years) of the sources it is checked against that hold it. Empty: it fails. */
  backing: Backing[];
  /** Registry sources not cited here that hold it. */
  elsewhere: Backing[];
}

export interface SentenceAnalysis {
  text: string;
  start: number;
  end: number;
  numbers: CheckedNumber[];
}

export type Mode = 'cited' | 'title' | 'uncited';

export interface BlockAnalysis {
  block: Block;
  /**
   * 'cited': it links to a study, so its numbers are checked against the registry sources it cites. 'title': the
   * subject, preview text or a heading without a link, checked against every source the email cites. 'uncited':
   * no study link; a percentage, count of people or year here is a `citations` problem.
   */
  mode: Mode;
  /** The registry sources it cites (for a title: every source the email cites). */
  cited: Cited[];
  numbers: CheckedNumber[];
  sentences: SentenceAnalysis[];
}

export interface EmailAnalysis {
  blocks: BlockAnalysis[];
  /** Every registry source the email's body cites. */
  cited: Cited[];
}

/** The kinds of number read as study numbers wherever they are. */
const CLAIM_KINDS: readonly NumberKind[] = ['percent', 'people', 'year'];

function holds(number: StatedNumber, { id, source }: Cited): Backing[] {
  if (number.kind === 'year') return source.year === number.value ? [{ id, source, year: number.value }] : [];
  const unit =
    number.kind === 'percent'
      ? 'percent'
      : number.kind === 'people'
        ? 'people'
        : number.kind === 'duration'
          ? number.unit
          : undefined;
  return Object.entries(source.facts)
    .filter(
      ([, fact]) =>
        fact.value === number.value && (number.kind === 'decimal' ? fact.unit !== 'people' : fact.unit === unit),
    )
    .map(([key, fact]) => ({ id, source, key, fact }));
}

/** Each source once. */
export const dedupe = (cited: Cited[]) => [...new Map(cited.map((c) => [c.id, c])).values()];

/** Every number and link of an email, checked against the registry. */
export function analyzeEmail(email: EmailText, registry: Registry = defaultRegistry): EmailAnalysis {
  if (registry === defaultRegistry) {
    const cached = analyses.get(email);
    if (cached) return cached;
  }
  const blocks = blocksOf(email, registry);
  const citesOf = (block: Block): Cited[] =>
    dedupe(
      block.links.flatMap((link) =>
        link.verdict.kind === 'registry' || link.verdict.kind === 'registry-elsewhere'
          ? [{ id: link.verdict.id, source: link.verdict.source }]
          : [],
      ),
    );
  const citedAnywhere = dedupe(blocks.filter((block) => block.part !== 'header').flatMap(citesOf));
  const everything: Cited[] = Object.entries(registry).map(([id, source]) => ({ id, source }));

  const analyzed = blocks.map((block): BlockAnalysis => {
    const linksStudy = block.links.some((link) => link.verdict.kind !== 'other');
    const mode: Mode = linksStudy
      ? 'cited'
      : block.kind === 'subject' || block.kind === 'preview' || block.kind === 'heading'
        ? 'title'
        : 'uncited';
    const cited = mode === 'cited' ? citesOf(block) : mode === 'title' ? citedAnywhere : [];
    // A <Cite>'s link text is the source's name ("Pomeroy et al., Headache, 2017"): its year is not a claim. Nor is
    // the name of a link the checks refuse anyway ("Smith et al., 2024" linking to a study not in the registry).
    const hidden = block.links
      .filter(
        (link) =>
          (link.verdict.kind === 'registry' && link.verdict.source.short === link.text) ||
          ['registry-elsewhere', 'search', 'study'].includes(link.verdict.kind),
      )
      .map((link) => [link.start, link.end] as const);
    const numbers = numbersIn(block.text, { ...(email.clinic && { clinic: email.clinic }), hidden }).map(
      (number): CheckedNumber => {
        const checked =
          CLAIM_KINDS.includes(number.kind) ||
          (mode === 'cited' && (number.kind === 'duration' || number.kind === 'decimal'));
        const backing = cited.flatMap((c) => holds(number, c));
        const elsewhere = backing.length
          ? []
          : everything.filter((c) => !cited.some((x) => x.id === c.id)).flatMap((c) => holds(number, c));
        return { number, checked, backing, elsewhere };
      },
    );
    const spans = sentencesOf(block.text);
    // A sentence made only of link text ("(Pomeroy et al., Headache, 2017)", "Source") belongs to the one before.
    const merged: Array<{ start: number; end: number }> = [];
    for (const span of spans) {
      const rest = blank(
        block.text,
        block.links.map((link) => [link.start, link.end] as const),
      ).slice(span.start, span.end);
      const previous = merged.at(-1);
      if (previous && !/[\p{L}\p{N}]/u.test(rest) && !block.text.slice(previous.end, span.start).includes('\n'))
        previous.end = span.end;
      else merged.push({ ...span });
    }
    const sentences = merged.map(({ start, end }) => ({
      text: block.text.slice(start, end).trim(),
      start,
      end,
      numbers: numbers.filter((n) => n.number.start >= start && n.number.start < end),
    }));
    return { block, mode, cited, numbers, sentences };
  });
  const analysis = { blocks: analyzed, cited: citedAnywhere };
  if (registry === defaultRegistry) analyses.set(email, analysis);
  return analysis;
}
const analyses = new WeakMap<EmailText, EmailAnalysis>();

/** How an email writes a backing fact, and what it is: `49.1% (rated intranasal ketamine "very effective", in the 169 people interviewed)`. */
export function describeBacking(backing: Backing): string {
  if ('year' in backing) return `published in ${backing.year}`;
  return `${say(backing.fact)}: ${backing.fact.measures}, in ${backing.fact.population}`;
}
