/**
 * The numbers a sentence states, and what kind each is (a percentage, a count of people, a year, a length of time, a
 * decimal), with what is never read as a claim (phone numbers, times of day, prices, the clinic's address); and how
 * text splits into sentences. Pure text functions for the source checks (`source-checks.ts`), whose header says the
 * rules in plain words.
 */

/** The clinic details a number may come from without being a claim: its phone and postal address. */
export interface ClinicDetails {
  name: string;
  phone: string;
  postalAddress: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers in a sentence

export type NumberKind = 'percent' | 'people' | 'year' | 'duration' | 'decimal' | 'other';

/** A number an email states, and what kind of number it reads as. */
export interface StatedNumber {
  kind: NumberKind;
  value: number;
  /** For a length of time: minutes, hours, days, weeks, months or years. */
  unit?: string;
  /** As the email writes it: "49.1%", "77 patients", "55 of the 77", "2017", "90 minutes". */
  text: string;
  /** Where it starts and ends in the text it was found in. */
  start: number;
  end: number;
}

const PEOPLE = String.raw`(?:people|persons?|patients?|participants?|adults?|children|adolescents|teens|teenagers|subjects?|volunteers?|migraineurs?|sufferers?|women|men|individuals?|respondents?|(?:non-?)?responders?|completers?|cases|users)`;
/** Words that end the search for a people noun: "15 minutes early for patients" is not 15 patients. */
const STOP = String.raw`(?:of|for|with|to|in|on|at|by|from|into|and|or|but|than|the|a|an|per|each|every|who|that|which|were|was|had|have|has|is|are|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|points?|sessions?|doses?|times|mg|ml|percent)`;
const PEOPLE_AFTER = new RegExp(String.raw`^(?:\s+(?!${STOP}\b)\p{L}[\p{L}'’-]*){0,3}\s+${PEOPLE}\b`, 'iu');
/** What people in a study do: "18 completed", "30 were randomized", "15 of 77 kept the benefit". */
const PEOPLE_VERBS = String.raw`(?:completed|finished|responded|improved|enrolled|participated|took part|dropped out|withdrew|screened|interviewed|randomi[sz]ed|were|was|had|reported|said|rated|felt|found|described|noticed|experienced|kept|stopped|continued|used|needed|received|answered|agreed|benefit+ed|got|saw|still)`;
const PEOPLE_VERB_AFTER = new RegExp(String.raw`^\s+(?:${PEOPLE_VERBS}|of (?:them|these|those|whom)\b)\b`, 'i');
const PERCENT_AFTER = /^(?:\s?%|[\s-]?(?:percent|per cent)\b)/i;
const DURATION_AFTER = /^[\s-]?(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b/i;
/** "1999 mg" is not a year. */
const NOT_A_YEAR_AFTER = /^\s*(?:mg|mcg|µg|ml|milligrams?|kg|calories|steps|feet|miles|dollars|usd)\b/i;
/** What may follow the last number of "55 of the 77" or "of the 169" when it counts people: the end of a clause. */
const CLAUSE_END_AFTER = new RegExp(String.raw`^\s*(?:[,.;:)!?—–]|$|(?:who|did|${PEOPLE_VERBS})\b)`, 'i');

const DIGITS = /(?<![\p{L}\p{N}]|\p{N}[.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\p{L}\p{N}]|[.,]\d)/gu;
const UNITS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const WORDS = new RegExp(
  String.raw`(?<![\p{L}-])(?:(${TENS.join('|')})(?:[\s-](${UNITS.join('|')}))?|(${[...UNITS.slice(1), ...TEENS].join('|')}))(?![\p{L}])`,
  'giu',
);

function durationUnit(word: string): string {
  const w = word.toLowerCase();
  if (w.startsWith('min')) return 'minutes';
  if (w.startsWith('h')) return 'hours';
  if (w.startsWith('d')) return 'days';
  if (w.startsWith('w')) return 'weeks';
  if (w.startsWith('mo')) return 'months';
  return 'years';
}

/** Text of the same length with these ranges blanked, so positions still match the original. */
export function blank(text: string, ranges: Iterable<readonly [number, number]>): string {
  const units = text.split('');
  for (const [start, end] of ranges)
    for (let i = Math.max(0, start); i < Math.min(end, units.length); i++) if (units[i] !== '\n') units[i] = ' ';
  return units.join('');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What is never a study number: phone numbers, times, prices, web addresses, and the clinic's own address. */
export function notClaims(text: string, clinic?: ClinicDetails): Array<[number, number]> {
  const patterns = [
    /https?:\/\/\S+/gi,
    /(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g,
    /(?<![\d.,])911(?!\d|[.,]\d)/g,
    /\b\d{1,2}:\d{2}(?:\s?(?:[ap]\.?m\.?))?/gi,
    /\$\s?\d[\d,]*(?:\.\d+)?/g,
    ...(clinic
      ? [...clinic.postalAddress, clinic.phone].filter(Boolean).map((line) => new RegExp(escapeRegExp(line), 'g'))
      : []),
  ];
  return patterns.flatMap((pattern) =>
    [...text.matchAll(pattern)].map((m) => [m.index, m.index + m[0].length] as [number, number]),
  );
}

/**
 * Every number in `text` and what it reads as. `hidden` ranges (a <Cite> link's name, say) are skipped, as is
 * everything `notClaims` finds.
 */
export function numbersIn(
  text: string,
  options: { clinic?: ClinicDetails; hidden?: Array<readonly [number, number]> } = {},
): StatedNumber[] {
  const masked = blank(text, [...notClaims(text, options.clinic), ...(options.hidden ?? [])]);
  const found: StatedNumber[] = [];

  for (const m of masked.matchAll(DIGITS)) {
    const start = m.index;
    const integer = m[1]!;
    const decimals = m[2];
    const end = start + m[0].length;
    const value = Number(`${integer.replace(/,/g, '')}${decimals ? `.${decimals}` : ''}`);
    const after = masked.slice(end);
    const whole = decimals === undefined;
    let match: RegExpExecArray | null;
    if ((match = PERCENT_AFTER.exec(after)))
      found.push({
        kind: 'percent',
        value,
        text: text.slice(start, end + match[0].length),
        start,
        end: end + match[0].length,
      });
    else if (whole && (match = PEOPLE_AFTER.exec(after)))
      found.push({
        kind: 'people',
        value,
        text: text.slice(start, end + match[0].length),
        start,
        end: end + match[0].length,
      });
    else if ((match = DURATION_AFTER.exec(after)))
      found.push({
        kind: 'duration',
        value,
        unit: durationUnit(match[1]!),
        text: text.slice(start, end + match[0].length),
        start,
        end: end + match[0].length,
      });
    else if (
      whole &&
      !integer.includes(',') &&
      integer.length === 4 &&
      value >= 1950 &&
      value <= 2099 &&
      !NOT_A_YEAR_AFTER.test(after)
    )
      found.push({ kind: 'year', value, text: text.slice(start, end), start, end });
    else if (whole && (match = PEOPLE_VERB_AFTER.exec(after)))
      found.push({
        kind: 'people',
        value,
        text: text.slice(start, end + match[0].length),
        start,
        end: end + match[0].length,
      });
    else if (!whole) found.push({ kind: 'decimal', value, text: text.slice(start, end), start, end });
    else found.push({ kind: 'other', value, text: text.slice(start, end), start, end });
  }

  // "55 of the 77", "15 of 77 patients", "7 out of 10 people": the first counts people when the second does.
  // "Of the 169, most…" and "n = 77" count people too.
  for (const [i, number] of found.entries()) {
    if (number.kind !== 'other' && number.kind !== 'people') continue;
    const next = found[i + 1];
    const between = next ? masked.slice(number.end, next.start) : '';
    if (next && /^\s+(?:out\s+)?of\s+(?:(?:the|these|those|all|them)\s+)?$/i.test(between)) {
      const nextCounts =
        next.kind === 'people' ||
        (next.kind === 'other' && !/out/i.test(between) && CLAUSE_END_AFTER.test(masked.slice(next.end)));
      if (nextCounts) {
        const digits = /^[\d,.]+/.exec(text.slice(next.start))?.[0].length ?? 0;
        found[i + 1] = { ...next, kind: 'people', text: text.slice(next.start, next.start + digits) };
        found[i] = {
          ...number,
          kind: 'people',
          text: text.slice(number.start, next.start + digits),
          end: next.start + digits,
        };
        continue;
      }
    }
    if (number.kind !== 'other') continue;
    const before = masked.slice(0, number.start);
    if (
      /\bn\s*=\s*$/i.test(before) ||
      (/\bof\s+(?:the|these|those|all)\s+$/i.test(before) && CLAUSE_END_AFTER.test(masked.slice(number.end)))
    ) {
      found[i] = { ...number, kind: 'people' };
    }
  }

  // Numbers written as words count as percentages and counts of people ("forty-nine percent", "thirty people").
  for (const m of masked.matchAll(WORDS)) {
    const value = m[1]
      ? (TENS.indexOf(m[1].toLowerCase()) + 2) * 10 + (m[2] ? UNITS.indexOf(m[2].toLowerCase()) + 1 : 0)
      : m[3]
        ? [...UNITS, ...TEENS].indexOf(m[3].toLowerCase()) + 1
        : 0;
    const start = m.index;
    const end = start + m[0].length;
    const after = masked.slice(end);
    let match: RegExpExecArray | null;
    if ((match = PERCENT_AFTER.exec(after)))
      found.push({
        kind: 'percent',
        value,
        text: text.slice(start, end + match[0].length),
        start,
        end: end + match[0].length,
      });
    else if ((match = PEOPLE_AFTER.exec(after)))
      found.push({
        kind: 'people',
        value,
        text: text.slice(start, end + match[0].length),
        start,
        end: end + match[0].length,
      });
  }
  return found.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------------------------------------------------------
// Sentences

const ABBREVIATION = /(?:^|[\s(])(?:et al|e\.g|i\.e|vs|cf|Dr|Mr|Mrs|Ms|St|No|approx|Fig|Vol|U\.S|[A-Z])\.$/;

/** Where each sentence of `text` starts and ends. A line break always ends one. */
export function sentencesOf(text: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let lineStart = 0;
  for (const line of text.split('\n')) {
    let start = 0;
    for (const m of line.matchAll(/[.!?…]+["”’)\]]*\s+(?=["“‘([]?[\p{Lu}\p{N}])/gu)) {
      const stop = m.index + m[0].trimEnd().length;
      const head = line.slice(0, m.index + m[0].replace(/["”’)\]\s]+$/, '').length);
      if (ABBREVIATION.test(head)) continue;
      spans.push({ start: lineStart + start, end: lineStart + stop });
      start = m.index + m[0].length;
    }
    if (line.slice(start).trim()) spans.push({ start: lineStart + start, end: lineStart + line.trimEnd().length });
    lineStart += line.length + 1;
  }
  return spans.filter((span) => text.slice(span.start, span.end).trim());
}
