/**
 * The statements of an email as the claims sheet lists them: each factual sentence (`sentence-roles.ts`) with the
 * lines under it, the source its paragraph cites and the registry fact each number states (`source-checks.ts`).
 */
import { say } from '../emails/sources.ts';
import { mdLink, mdText } from './markdown.ts';
import { roleOf } from './sentence-roles.ts';
import { describeBacking, type BlockAnalysis, type CheckedNumber, type SentenceAnalysis } from './source-analysis.ts';

/** One sentence the sheet lists, and the lines under it. */
export interface Statement {
  text: string;
  lines: string[];
}

/** The lines under one statement: its sources, and where each number comes from. */
function sourceLines(analysis: BlockAnalysis, sentence: SentenceAnalysis): string[] {
  const lines: string[] = [];
  const { block, mode } = analysis;
  if (mode === 'cited') {
    for (const cited of analysis.cited)
      lines.push(`Source: ${mdLink(cited.source.short, cited.source.url)}. ${mdText(cited.source.citation)}`);
    for (const l of block.links) {
      if (l.verdict.kind === 'search')
        lines.push(`⚠ Links to a search, not a paper: <${l.href}> (the checks refuse it)`);
      if (l.verdict.kind === 'study')
        lines.push(`⚠ Links to a study that is not in the source registry: <${l.href}> (the checks refuse it)`);
      if (l.verdict.kind === 'registry-elsewhere')
        lines.push(
          `⚠ Links to ${mdText(l.verdict.source.short)} at another address: <${l.href}> (the checks refuse it)`,
        );
    }
  }
  const numbers = sentence.numbers.filter((n) => n.checked || mode === 'uncited');
  const shown = new Set<string>();
  let coveredTo = -1;
  for (const n of numbers) {
    const key = `${n.number.kind}:${n.number.value}:${n.number.unit ?? ''}`;
    // The 77 of "55 of the 77" is shown with the 55, unless nothing backs it.
    const covered = n.number.start < coveredTo && (n.backing.length > 0 || !n.checked);
    coveredTo = Math.max(coveredTo, n.number.end);
    if (shown.has(key) || covered || n.number.kind === 'other') continue;
    shown.add(key);
    lines.push(numberLine(n, mode));
  }
  if (mode !== 'cited' && !numbers.some((n) => n.checked && n.backing.length))
    lines.unshift('Clinic statement — no study cited');
  return lines;
}

/** A number as the sheet shows it: the fact it states, the clinic's own, or backed by no cited source. */
export function numberLine(n: CheckedNumber, mode: BlockAnalysis['mode']): string {
  const said = `“${mdText(n.number.text.trim())}”`;
  if (n.backing.length) {
    return `${said} — ${n.backing.map((b) => ('fact' in b ? `from ${mdText(b.source.short)} (fact \`${b.key}\`): value ${mdText(say(b.fact))}; measures: ${mdText(b.fact.measures)}; in: ${mdText(b.fact.population)}` : `the year ${mdText(b.source.short)} was published`)).join(' — and ')}`;
  }
  if (!n.checked) return `${said} — the clinic’s own number, from no study`;
  const elsewhere = n.elsewhere.length
    ? `; it matches ${n.elsewhere.map((b) => `${mdText(b.source.short)} (${mdText(describeBacking(b))})`).join('; ')}, which ${mode === 'title' ? 'the email' : 'this paragraph'} does not cite`
    : '';
  return `⚠ ${said} — no cited source backs it${elsewhere} (the checks fail on it)`;
}

/** The statements among the blocks' sentences (`roleOf`), less those `skip` leaves out. */
export function statementsOf(blocks: BlockAnalysis[], skip: (text: string) => boolean): Statement[] {
  const statements: Statement[] = [];
  for (const block of blocks) {
    for (const sentence of block.sentences) {
      if (skip(sentence.text)) continue;
      if (
        roleOf(sentence.text, sentence.numbers.filter((n) => n.checked || n.number.kind !== 'other').length) !==
        'statement'
      )
        continue;
      statements.push({ text: sentence.text, lines: sourceLines(block, sentence) });
    }
  }
  return statements;
}

/** Numbered statements, each with its lines, from `first`. */
export function statementList(statements: Statement[], first = 1): string[] {
  if (statements.length === 0) return ['No factual statements.'];
  return statements.flatMap((s, i) => [`${first + i}. “${mdText(s.text)}”`, ...s.lines.map((line) => `   - ${line}`)]);
}
