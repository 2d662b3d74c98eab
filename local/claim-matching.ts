/**
 * The claims rule's matching engine: reads text sentence by sentence, as a reviewer would, and finds the claims the
 * rules in emails/content-rules.ts describe, in their word forms and phrasings, letting honest sentences through
 * ("is not safe for everyone", "has not been proven"). Pure: text in, findings out.
 *
 * The pattern language it compiles (`cure*`, `{a,b}`, `[optional]`, `#`) is described for marketing at the top of
 * emails/content-rules.ts.
 *
 * Why one file of about 500 lines: text normalization, the pattern compiler, sentence splitting and the negation
 * window are one algorithm whose parts are tuned against each other, and its tests (test/unit/local/claim-matching.test.ts)
 * exercise them together; split, each part would only make sense next to the others.
 */
import type { ClaimRule } from '../emails/content-rules.ts';

/** One claim found in one sentence. */
export interface ClaimFinding {
  /** The rule's position in the list, so findings sort in the order marketing wrote the rules. */
  ruleIndex: number;
  rule: ClaimRule;
  /** The words as the email writes them ("Clinically-proven"), or the quotation for a `quotes` rule. */
  said: string;
  /** The sentence it is in. */
  sentence: string;
  /** The sentence whole, or about 200 characters of it around the claim: what a message quotes. */
  excerpt: string;
}

/** A problem the claims rule reports: one per sentence, with sentences making exactly the same claims together. */
export interface ClaimProblem {
  problem: string;
  fix: string;
}

export const DEFAULT_WHY =
  'The clinic must not make this claim without evidence it can show (FTC rules on health claims).';
export const SENTENCE_MAX = 200;
/** At most this many words between a negation and the claim it negates. */
export const NEGATION_REACH = 4;

// ---------------------------------------------------------------------------------------------------------------
// Text normalization

/** Characters that take no space: zero-width spaces and joiners, direction marks, soft hyphens, the BOM. */
// eslint-disable-next-line no-misleading-character-class -- U+034F (combining grapheme joiner) is invisible, matched on its own
const INVISIBLE = /[\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff]/u;
/** Any kind of space or line break, non-breaking ones included. */
const SPACE = /[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// eslint-disable-next-line no-misleading-character-class -- U+034F (combining grapheme joiner) is invisible, matched on its own
const INVISIBLES = new RegExp(INVISIBLE.source, 'gu');
const SPACES = new RegExp(`${SPACE.source}+`, 'gu');

/**
 * Text as a reader sees it: invisible characters gone, every run of spaces one space, or one line break if it
 * holds one (a line break inside a sentence is a pause: it ends a negation's reach, not a phrase).
 */
export function squash(text: string): string {
  return text
    .replace(INVISIBLES, '')
    .replace(SPACES, (run) => (run.includes('\n') ? '\n' : ' '))
    .trim();
}

const SAME_AS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '`': "'",
  '\u00b4': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u00ab': '"',
  '\u00bb': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2212': '-',
  '\ufe63': '-',
  '\uff0d': '-',
};

/**
 * The text the patterns are matched against, with, for each of its characters, where it came from in `text`:
 * compatibility forms folded (NFKC: "％" is "%"), curly quotes and apostrophes straight, hyphen look-alikes "-",
 * invisible characters gone, spaces single, and the dots of an abbreviation dropped ("F.D.A." is "FDA").
 */
export function normalize(text: string): { text: string; from: number[] } {
  let out = '';
  const from: number[] = [];
  let index = 0;
  let spaceAt = -1;
  let lineBreak = false;
  for (const char of text) {
    const at = index;
    index += char.length;
    if (INVISIBLE.test(char)) continue;
    if (SPACE.test(char)) {
      if (spaceAt < 0) spaceAt = at;
      lineBreak ||= char === '\n';
      continue;
    }
    if (spaceAt >= 0 && out.length > 0) {
      out += lineBreak ? '\n' : ' ';
      from.push(spaceAt);
    }
    spaceAt = -1;
    lineBreak = false;
    const folded = SAME_AS[char] ?? char.normalize('NFKC');
    for (let i = 0; i < folded.length; i++) from.push(at);
    out += folded;
  }
  // "F.D.A." and "e.g." lose their dots, so "FDA approved" finds "F.D.A. approved".
  const dots = new Set<number>();
  for (const match of out.matchAll(/(?<![\p{L}\p{N}.])\p{L}(?:\.\p{L})+\.?(?![\p{L}\p{N}])/gu)) {
    for (let i = match.index; i < match.index + match[0].length; i++) if (out[i] === '.') dots.add(i);
  }
  if (dots.size === 0) return { text: out, from };
  return {
    text: out
      .split('')
      .filter((_, i) => !dots.has(i))
      .join(''),
    from: from.filter((_, i) => !dots.has(i)),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The pattern language

/** Between the words of a phrase: any spaces and hyphens, or nothing ("pain free", "pain-free", "painfree"). */
const JOIN = '[\\s\\-]*';
const NUMBER = '\\d+(?:[.,]\\d+)*';
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** A word and its simple forms: cure → cures, cured, curing…; safe → safely, safer…; remedy → remedies. */
export function formsOf(word: string): string[] {
  const forms = new Set([
    word,
    `${word}s`,
    `${word}es`,
    `${word}ed`,
    `${word}ing`,
    `${word}ly`,
    `${word}er`,
    `${word}est`,
  ]);
  if (word.endsWith('e')) {
    for (const ending of ['d', 'r', 'st']) forms.add(word + ending);
    if (!word.endsWith('ee')) forms.add(`${word.slice(0, -1)}ing`);
  }
  if (/[^aeiou]y$/i.test(word)) {
    for (const ending of ['ies', 'ied', 'ier', 'iest', 'ily']) forms.add(word.slice(0, -1) + ending);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One literal word as a regular expression: an apostrophe may be left out; "100%" also finds "100 %". */
function wordSource(word: string): string {
  let source = '';
  let previous = '';
  for (const char of word) {
    if (previous && WORD_CHAR.test(previous) !== WORD_CHAR.test(char) && previous !== "'" && char !== "'")
      source += JOIN;
    source += char === "'" ? "'?" : escape(char);
    previous = char;
  }
  return source;
}

export class PatternError extends Error {}

/**
 * A phrase from content-rules.ts as a regular expression (its source). `literal` is for `words`, where every
 * character means itself; otherwise `*`, `{}`, `[]` and `#` work as the top of content-rules.ts says.
 */
export function patternSource(pattern: string, literal = false): string {
  const text = normalize(pattern).text;
  const specials = literal ? '' : '{}[],*#';
  let at = 0;

  const fail = (what: string): never => {
    throw new PatternError(`The pattern "${pattern}" in emails/content-rules.ts ${what}`);
  };

  /** A run of words and groups, up to one of `stops` (or the end). */
  const sequence = (stops: string): string => {
    const pieces: string[] = [];
    let gap = false;
    const add = (piece: string) => {
      if (gap && pieces.length > 0) pieces.push(JOIN);
      pieces.push(piece);
      gap = false;
    };
    while (at < text.length) {
      const char = text[at]!;
      if (stops.includes(char)) break;
      if (char === ' ' || char === '-') {
        gap = true;
        at++;
      } else if (!literal && (char === '{' || char === '[')) {
        at++;
        const options = choices(char === '{' ? '}' : ']');
        add(`(?:${options.join('|')})${char === '[' ? '?' : ''}`);
        if (text[at] === '*')
          fail('has a * after a closing bracket: put it inside, after each word, as in {heal*,cure*}.');
      } else if (!literal && char === '#') {
        at++;
        add(NUMBER);
      } else if (!literal && char === '*') {
        fail('has a * that does not follow a word: write it right after one, as in cure*.');
      } else if (!literal && (char === '}' || char === ']')) {
        fail(`has a "${char}" without its opening bracket.`);
      } else {
        let word = '';
        while (
          at < text.length &&
          !' -'.includes(text[at]!) &&
          !(specials.includes(text[at]!) && text[at] !== ',') &&
          !stops.includes(text[at]!)
        )
          word += text[at++];
        if (!literal && text[at] === '*') {
          at++;
          add(`(?:${formsOf(word).map(wordSource).join('|')})`);
        } else {
          add(wordSource(word));
        }
      }
    }
    return pieces.join('');
  };

  /** The choices of a {…} or […] group, after its opening bracket, up to and past `close`. */
  const choices = (close: string): string[] => {
    const options: string[] = [];
    for (;;) {
      options.push(sequence(`,${close}`));
      if (at >= text.length) fail(`has a "${close === '}' ? '{' : '['}" without its "${close}".`);
      if (text[at++] === close) return options;
    }
  };

  const source = sequence('');
  if (!source) fail('is empty.');
  return source;
}

/** The whole pattern as a regular expression that matches whole words only. */
export function patternRegExp(pattern: string, literal = false): RegExp {
  // Starts and ends on a word, not on the space or hyphen before an optional word that is not there.
  return new RegExp(
    `(?<![\\p{L}\\p{N}])(?![\\s-])(?:${patternSource(pattern, literal)})(?<![\\s-])(?![\\p{L}\\p{N}])`,
    'giu',
  );
}

interface Compiled {
  claims: RegExp[];
  unless: RegExp[];
  quotes: RegExp[];
}

const compiled = new WeakMap<ClaimRule, Compiled>();

/** A rule's patterns as regular expressions (compiled once per rule object). Throws a PatternError on a bad one. */
export function compileRule(rule: ClaimRule): Compiled {
  let result = compiled.get(rule);
  if (!result) {
    result = {
      claims: [
        ...rule.words.map((words) => patternRegExp(words, true)),
        ...(rule.forms ?? []).map((form) => patternRegExp(form)),
      ],
      unless: (rule.unless ?? []).map((phrase) => patternRegExp(phrase)),
      quotes: (rule.quotes ?? []).map((word) => patternRegExp(word)),
    };
    compiled.set(rule, result);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Sentences

/** Quotations: "…", “…”, „…“, «…», and ‘…’ (whose closing mark is not an apostrophe inside a word). */
const QUOTATIONS =
  /"[^"]+"|\u201c[^\u201d]+\u201d|\u201e[^\u201c\u201d]+[\u201c\u201d]|\u00ab[^\u00bb]+\u00bb|\u2018.+?\u2019(?![\p{L}\p{N}])/gu;

/** Words after which a period does not end a sentence. */
const ABBREVIATIONS = new Set(['dr', 'mr', 'mrs', 'ms', 'prof', 'st', 'vs', 'al', 'approx', 'fig', 'inc', 'jr', 'sr']);

/**
 * A paragraph's sentences. A period, question or exclamation mark ends one when a capital, a digit, an opening
 * quote or a bullet follows, except after an abbreviation ("Dr.", "e.g.", "F.D.A.") or inside a quotation.
 */
export function sentencesOf(paragraph: string): string[] {
  const text = squash(paragraph);
  const quoted = [...text.matchAll(QUOTATIONS)].map((match) => [match.index, match.index + match[0].length] as const);
  const sentences: string[] = [];
  let start = 0;
  for (const match of text.matchAll(/[.!?\u2026]+["'\u201d\u2019)\]]*(?=[ \n])/gu)) {
    const end = match.index + match[0].length;
    // Not inside a quotation: "I was skeptical. After one session…" is one testimonial.
    if (quoted.some(([from, to]) => end > from && end < to)) continue;
    const next = text[end + 1] ?? '';
    if (!/[\p{Lu}\p{N}"'\u201c\u2018(\u00ab[\u00b7\u2022]/u.test(next)) continue;
    const before = /(\S+)$/.exec(text.slice(start, match.index))?.[1] ?? '';
    if (
      match[0][0] === '.' &&
      (ABBREVIATIONS.has(before.toLowerCase()) || /^\p{L}$/u.test(before) || /^(\p{L}\.)+\p{L}$/u.test(before))
    )
      continue;
    sentences.push(text.slice(start, end).trim());
    start = end;
  }
  sentences.push(text.slice(start).trim());
  return sentences.filter(Boolean);
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

/** Between a negation and its claim, any of these ends the negation's reach. */
const CLAUSE_BREAK =
  /[\n,;:()[\]{}\u2013\u2014\u2026!?\u00b7\u2022|]|\s-\s|\.\s|(?<![\p{L}\p{N}])(but|however|although|though|whereas|except)(?![\p{L}\p{N}])/iu;
/**
 * Right after a negation, these make it no negation of the claim: "not only safe", "no doubt it is safe", "no less
 * safe", "don't worry, it's safe", "don't miss this breakthrough", "never settle for less than a cure".
 */
const NOT_NEGATING = new Set([
  ...['only', 'just', 'merely', 'simply', 'doubt', 'question', 'wonder', 'matter', 'more', 'less'],
  ...['worry', 'fear', 'need', 'wait', 'hesitate', 'delay', 'miss', 'settle', 'suffer', 'let', 'forget', 'problem'],
]);
const WORDS = /[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

interface Span {
  start: number;
  end: number;
}

function* spans(pattern: RegExp, text: string): Generator<Span> {
  pattern.lastIndex = 0;
  for (const match of text.matchAll(pattern))
    if (match[0]) yield { start: match.index, end: match.index + match[0].length };
}

/** Is the claim at `claim` said honestly: negated shortly before it, or inside an honest phrase? */
function excused(text: string, claim: Span, unless: RegExp[]): boolean {
  return unless.some((pattern) => {
    for (const phrase of spans(pattern, text)) {
      if (phrase.start <= claim.start && phrase.end >= claim.end) return true;
      if (phrase.end > claim.start) continue;
      const between = text.slice(phrase.end, claim.start);
      const words = between.match(WORDS) ?? [];
      if (words.length > NEGATION_REACH || CLAUSE_BREAK.test(between)) continue;
      if (words[0] && NOT_NEGATING.has(words[0].toLowerCase())) continue;
      return true;
    }
    return false;
  });
}

const oneLine = (text: string) => text.replace(/\n/g, ' ');

/** About SENTENCE_MAX characters of a long sentence, around the claim at [start, end). */
function excerpt(text: string, start: number, end: number): string {
  const sentence = oneLine(text);
  if (sentence.length <= SENTENCE_MAX) return sentence;
  let from = Math.max(
    0,
    Math.min(start - Math.floor((SENTENCE_MAX - (end - start)) / 2), sentence.length - SENTENCE_MAX),
  );
  let to = Math.min(sentence.length, from + SENTENCE_MAX);
  if (from > 0) from = sentence.indexOf(' ', from) + 1 || from;
  if (to < sentence.length) to = sentence.lastIndexOf(' ', to) > end ? sentence.lastIndexOf(' ', to) : to;
  return `${from > 0 ? '…' : ''}${sentence.slice(from, to).trim()}${to < sentence.length ? '…' : ''}`;
}

const shorten = (text: string, max = 80) => oneLine(text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

/** The claims one sentence makes, by the rules given, in rule order. */
export function claimsInSentence(sentence: string, rules: readonly ClaimRule[]): ClaimFinding[] {
  const { text, from } = normalize(sentence);
  const original = (span: Span) => {
    const last = from[span.end - 1] ?? sentence.length - 1;
    return { start: from[span.start] ?? 0, end: last + String.fromCodePoint(sentence.codePointAt(last) ?? 0).length };
  };
  return rules.flatMap((rule, ruleIndex) => {
    const { claims, unless, quotes } = compileRule(rule);
    const found = claims.flatMap((pattern) => [...spans(pattern, text)]);
    const honest = found.filter((span) => excused(text, span, unless));
    // A match inside or across an honest one is honest too: "no risk" in "there is no risk-free treatment".
    const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;
    const claimed = found.filter((span) => !honest.some((other) => overlaps(span, other)));
    // Overlapping or touching matches are one claim: "clinically proven", not "proven" too; "★★★★★".
    const merged: Span[] = [];
    for (const span of claimed.sort((a, b) => a.start - b.start)) {
      const last = merged.at(-1);
      if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    const findings = merged.map((span) => {
      const at = original(span);
      return {
        ruleIndex,
        rule,
        said: oneLine(sentence.slice(at.start, at.end)),
        sentence: oneLine(sentence),
        excerpt: excerpt(sentence, at.start, at.end),
      };
    });
    if (quotes.length > 0) {
      for (const match of sentence.matchAll(QUOTATIONS)) {
        const inner = normalize(match[0].slice(1, -1)).text;
        if (quotes.some((pattern) => spans(pattern, inner).next().done === false)) {
          findings.push({
            ruleIndex,
            rule,
            said: shorten(match[0]),
            sentence: oneLine(sentence),
            excerpt: excerpt(sentence, match.index, match.index + match[0].length),
          });
        }
      }
    }
    return findings;
  });
}

/** A link address, without the punctuation after it: "(Source https://doi.org/10.1/x)." keeps its ")." */
const LINK = /https?:\/\/\S+?(?=[.,;:!?)\]"'\u201d\u2019]*(?:\s|$))/g;

/** Every claim in `texts` (each a subject, a paragraph, a whole plain-text part…), sentence by sentence. */
export function findClaims(texts: readonly string[], rules: readonly ClaimRule[]): ClaimFinding[] {
  // Link addresses the plain text spells out are not claims: "clinic.example/free-consultation".
  // Paragraphs end at a blank line; a single line break (<br>) is a pause inside one.
  const paragraphs = texts.flatMap((text) => text.replace(LINK, '').split(/\n[^\S\n]*\n/));
  return paragraphs.flatMap(sentencesOf).flatMap((sentence) => claimsInSentence(sentence, rules));
}

// ---------------------------------------------------------------------------------------------------------------
// Problems

/** The same sentence whether it came from the HTML or the plain text (which adds link addresses and capitals). */
const sentenceKey = (sentence: string) =>
  normalize(sentence.replace(LINK, ''))
    .text.toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
const saidKey = (finding: ClaimFinding) => `${finding.ruleIndex}:${sentenceKey(finding.said)}`;

/**
 * The claims rule's problems for an email's texts: one per sentence that makes a claim (the same sentence in the
 * HTML and the plain text is one), with sentences making exactly the same claims ("Book a free consultation" on
 * two buttons) in one problem. Each says what the sentence claims, why it must not, and what to write instead.
 */
export function claimProblems(texts: readonly string[], rules: readonly ClaimRule[]): ClaimProblem[] {
  const sentences = new Map<string, { sentence: string; findings: Map<string, ClaimFinding> }>();
  for (const finding of findClaims(texts, rules)) {
    const key = sentenceKey(finding.sentence);
    const entry = sentences.get(key) ?? { sentence: finding.excerpt, findings: new Map() };
    if (!entry.findings.has(saidKey(finding))) entry.findings.set(saidKey(finding), finding);
    sentences.set(key, entry);
  }
  const groups = new Map<string, { sentences: string[]; findings: ClaimFinding[] }>();
  for (const { sentence, findings } of sentences.values()) {
    const ordered = [...findings.values()].sort((a, b) => a.ruleIndex - b.ruleIndex);
    const signature = ordered.map(saidKey).sort().join('\n');
    const group = groups.get(signature) ?? { sentences: [], findings: ordered };
    group.sentences.push(sentence);
    groups.set(signature, group);
  }
  return [...groups.values()].map(({ sentences: where, findings }) => {
    const byRule = [...new Set(findings.map((finding) => finding.rule))].map((rule) => ({
      rule,
      said: findings.filter((finding) => finding.rule === rule).map((finding) => finding.said),
    }));
    const said = (words: string[]) => words.map((word) => (/^["“„«‘]/.test(word) ? word : `"${word}"`)).join(' and ');
    const listed = where.slice(0, 3).map((sentence) => `"${sentence}"`);
    const more = where.length > 3 ? `; and ${where.length - 3} more` : '';
    const [first, ...others] = byRule;
    const problem = [
      `It says ${said(first!.said)} (${listed[0]}${listed.length > 1 ? `; and again: ${listed.slice(1).join('; ')}` : ''}${more}).`,
      first!.rule.why ?? DEFAULT_WHY,
      ...others.map(({ rule, said: words }) => `It also says ${said(words)}. ${rule.why ?? DEFAULT_WHY}`),
    ].join(' ');
    const fix = [
      ...new Set(byRule.map(({ rule }) => rule.instead.trim()).filter(Boolean)),
      'The rules are in emails/content-rules.ts.',
    ].join(' ');
    return { problem, fix };
  });
}
