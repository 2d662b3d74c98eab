/**
 * The claims sheet (`npm run check:emails -- --claims`): one Markdown page a medical director can review and sign.
 * Every factual sentence of every email, in the order a lead gets them, with the registry source (emails/sources.ts)
 * the same paragraph cites and, for each number, the registry fact it states: its value, what it measures, in whom.
 *
 * Which sentences are listed: every sentence of the subject-free body (the heading, paragraphs, list items, button
 * labels) except
 *   - greetings ("Hi Jordan,", "Welcome, Jordan") and sign-offs ("Wishing you more good days,", "The team at …");
 *   - questions ("Running late or need another time?");
 *   - pure calls to action: a sentence that asks the reader to reply, call, book, choose a time, use a link or
 *     manage the appointment, and says nothing about migraine, ketamine, treatment, safety, results, research,
 *     insurance or cost ("You can also call us at +1 (478) 555-0100.").
 * A sentence with a percentage, a count of people, a year, a length of time or a decimal number is always listed. When in doubt a sentence is listed:
 * a director would rather sign one sentence too many than miss one. The shared footer (disclaimer, address,
 * unsubscribe) is listed once, after the emails; an email whose footer differs lists the sentences that differ. A template with other
 * versions (`Variants`: the after-visit note when the visit was attended) lists, after its usual sentences, the ones
 * each version says differently, with its subject and preview text when they differ.
 */
import type { Clinic } from '../emails/clinic.ts';
import { say, sources as defaultRegistry } from '../emails/sources.ts';
import type { StepTemplate } from '../emails/_shared/types.ts';
import type { MessageClass, Sequence } from '../lambdas/domain/sequence.ts';
import type { Problem } from './email-checks.ts';
import { renderForCheck } from './email-render.ts';
import { interestEmailSentAs, type EmailUnderCheck } from './email-templates.ts';
import { numberLine, statementList, statementsOf, type Statement } from './claim-statements.ts';
import { mdLink, mdTable, mdText } from './markdown.ts';
import { analyzeEmail } from './source-analysis.ts';
import type { Registry } from './study-links.ts';

export interface SheetOptions {
  clinic: Clinic;
  /** The sequences, for the order of the emails and each step's place in its sequence. */
  sequences: Readonly<Record<string, Sequence<{ id: string; class: MessageClass; template: StepTemplate }>>>;
  generated: Date;
  /** The git commit the emails come from, and whether emails/ has changes not committed yet. */
  commit?: { sha: string; dirty: boolean } | undefined;
  /** What the content checks find in a template (`checkTemplate`). */
  check: (template: StepTemplate) => Promise<Problem[]>;
  registry?: Registry;
}

/** A version of a template (`Variants`): its name, the props that differ, and what it says that the usual one does not. */
interface VersionSection {
  name: string;
  props: string;
  subject?: string;
  preview?: string;
  statements: Statement[];
}

interface EmailSection {
  email: EmailUnderCheck;
  steps: string[];
  subject: string;
  preview: string;
  statements: Statement[];
  /** Subject and preview text numbers, with their sources. */
  headerLines: string[];
  footer: Statement[];
  footerText: string;
  problems: Problem[];
  versions: VersionSection[];
}

/** The emails in the order a lead gets them: each sequence's steps in order, then templates no sequence sends. */
export function inSequenceOrder(emails: EmailUnderCheck[], sequences: SheetOptions['sequences']): EmailUnderCheck[] {
  const order = Object.values(sequences).flatMap((sequence) =>
    sequence.steps.map((step) => `${sequence.id} → ${step.id}`),
  );
  const rank = (email: EmailUnderCheck) =>
    Math.min(...email.sentAs.map((step) => order.indexOf(step)).filter((i) => i >= 0), Number.MAX_SAFE_INTEGER);
  return [...emails].sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file));
}

/** The claims sheet for `emails`, as Markdown. */
export async function claimsSheet(emails: EmailUnderCheck[], options: SheetOptions): Promise<string> {
  const registry: Registry = options.registry ?? defaultRegistry;
  const { clinic, sequences } = options;
  const sections: EmailSection[] = [];
  for (const email of inSequenceOrder(emails, sequences)) {
    const rendered = await renderForCheck(email.template);
    const analysis = analyzeEmail(rendered, registry);
    const firstName = email.template.PreviewProps.firstName;
    const body = analysis.blocks.filter((b) => b.block.part === 'body');
    const footer = analysis.blocks.filter((b) => b.block.part === 'footer');
    const header = analysis.blocks.filter((b) => b.block.part === 'header');
    const brand = (text: string) => text.trim() === rendered.clinic.name;
    const statements = statementsOf(body, brand);
    // A template with other versions (the after-visit note when the visit was attended): what each says that the
    // usual version does not.
    const versions: VersionSection[] = [];
    for (const [name, version] of Object.entries(email.template.Variants ?? {})) {
      const other = await renderForCheck(email.template, version);
      const said = new Set(statements.map((st) => st.text));
      const otherBody = analyzeEmail(other, registry).blocks.filter((b) => b.block.part === 'body');
      versions.push({
        name,
        props: Object.entries(version)
          .map(([prop, value]) => `${prop}: ${value === undefined ? 'not given' : JSON.stringify(value)}`)
          .join(', '),
        ...(other.subject !== rendered.subject && { subject: other.subject }),
        ...(other.preview !== rendered.preview && { preview: other.preview }),
        statements: statementsOf(otherBody, (text) => brand(text) || said.has(text.trim())),
      });
    }
    const steps = email.sentAs.map((step) => {
      const [sequenceId, stepId] = step.split(' → ');
      const sequence = Object.values(sequences).find((s) => s.id === sequenceId);
      const index = sequence?.steps.findIndex((s) => s.id === stepId) ?? -1;
      return sequence && index >= 0 ? `${step} (step ${index + 1} of ${sequence.steps.length})` : step;
    });
    sections.push({
      email,
      steps,
      subject: rendered.subject,
      preview: rendered.preview,
      statements,
      versions,
      headerLines: header.flatMap((block) =>
        block.numbers
          .filter((n) => n.checked)
          .map((n) => `${block.block.kind === 'subject' ? 'Subject' : 'Preview'}: ${numberLine(n, 'title')}`),
      ),
      footer: statementsOf(footer, () => false),
      footerText: footer
        .map((b) => b.block.text)
        .join('\n')
        .replaceAll(firstName, '{firstName}'),
      problems: await options.check(email.template),
    });
  }

  const shared = sections[0];
  const failing = sections.filter((s) => s.problems.length);
  const out: string[] = [];
  const when = options.generated
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d+Z$/, ' UTC');

  out.push(`# Claims sheet: ${mdText(clinic.name)}`, '');
  out.push(
    'Every factual statement the clinic’s patient emails make, with the study each one rests on, for the medical director to review and sign.',
    '',
  );
  out.push(`- Generated: ${when}`);
  out.push(
    options.commit
      ? `- From commit: \`${options.commit.sha}\`${options.commit.dirty ? ' — ⚠ emails/ had changes not yet committed: sign only a sheet made from a commit' : ''}`
      : '- From commit: unknown (not run in a git checkout)',
  );
  const interestCount = sections.filter((x) =>
    x.email.sentAs.some((a) => a.startsWith(interestEmailSentAs(''))),
  ).length;
  out.push(
    `- Emails: ${sections.length}${
      Object.values(sequences).length
        ? ` (${Object.values(sequences)
            .map(
              (s) => `${s.id}: ${sections.filter((x) => x.email.sentAs.some((a) => a.startsWith(`${s.id} →`))).length}`,
            )
            .concat(interestCount ? [`interest emails: ${interestCount}`] : [])
            .join(', ')})`
        : ''
    }`,
  );
  out.push(
    `- Source registry: \`emails/sources.ts\`, ${Object.keys(registry).length} sources, listed in full in the appendix`,
  );
  out.push('');
  out.push(
    'How to read it: each email is shown as a lead receives it (with sample details: first name, appointment time). Each numbered statement is one sentence of the email. “Source” is the study that the same paragraph or list item links to; each number in the sentence is followed by the registry fact it states: its value, what it measures, and in whom. “Clinic statement — no study cited” marks what the clinic says on its own authority. Greetings, sign-offs, questions and calls to action that say nothing else (reply, call, book) are left out. The footer every email shares is listed once, after the emails.',
    '',
  );
  if (failing.length) {
    out.push(
      `> ⚠ ${failing.length} of ${sections.length} email${sections.length === 1 ? '' : 's'} fail${failing.length === 1 ? 's' : ''} \`npm run check:emails\` (${failing.map((s) => mdText(s.email.file)).join(', ')}); the problems are listed under each. Do not sign until they pass.`,
      '',
    );
  }

  out.push('## Sign-off', '');
  out.push(
    'I have reviewed each statement in this sheet against the source given for it, and approve these emails for sending to patients, except for the statements listed below.',
    '',
  );
  out.push('Name: ____________________________________________', '');
  out.push('Title: ___________________________________________', '');
  out.push('Signature: _______________________________________', '');
  out.push('Date: ____________________________________________', '');
  out.push('Statements not approved (email and number), and why: ____________________________________________', '');

  out.push('## Contents', '');
  out.push(
    ...mdTable(
      ['#', 'Sent as', 'File', 'Subject', 'Statements', 'Citing a study', 'Checks'],
      sections.map((s, i) => [
        String(i + 1),
        s.email.sentAs.join(', ') || 'not sent by any sequence',
        s.email.file,
        s.subject,
        String(s.statements.length),
        String(s.statements.filter((st) => st.lines.some((l) => l.startsWith('Source:'))).length),
        s.problems.length ? `⚠ ${s.problems.length} problem${s.problems.length === 1 ? '' : 's'}` : 'pass',
      ]),
    ),
    '',
  );

  for (const [i, s] of sections.entries()) {
    out.push(`## ${i + 1}. ${mdText(s.email.sentAs[0] ?? s.email.file)}`, '');
    out.push(`- File: \`${s.email.file}\``);
    out.push(`- Sent as: ${s.steps.length ? mdText(s.steps.join('; ')) : 'not sent by any sequence'}`);
    out.push(`- Subject: “${mdText(s.subject)}”`);
    out.push(`- Preview text: “${mdText(s.preview)}”`);
    for (const line of s.headerLines) out.push(`  - ${line}`);
    out.push(
      s.problems.length
        ? `- Checks: ⚠ ${s.problems.length} problem${s.problems.length === 1 ? '' : 's'} (\`npm run check:emails -- ${s.email.file}\` says how to fix each):`
        : '- Checks: pass',
    );
    for (const p of s.problems) out.push(`  - ${p.rule}: ${mdText(p.problem)}`);
    out.push('');
    out.push(...statementList(s.statements), '');
    let next = s.statements.length + 1;
    for (const v of s.versions) {
      out.push(
        `In the “${mdText(v.name)}” version (${mdText(v.props)})${v.statements.length ? ', these sentences replace or add to the ones above:' : ', every sentence is one listed above.'}`,
        '',
      );
      if (v.subject) out.push(`- Subject: “${mdText(v.subject)}”`);
      if (v.preview) out.push(`- Preview text: “${mdText(v.preview)}”`);
      if (v.subject || v.preview) out.push('');
      if (v.statements.length) out.push(...statementList(v.statements, next), '');
      next += v.statements.length;
    }
    if (shared && s !== shared && s.footerText !== shared.footerText) {
      // Only what differs: a care email's footer shares the disclaimer and the address, not the unsubscribe lines.
      const sharedTexts = new Set(shared.footer.map((statement) => statement.text));
      const own = s.footer.filter((statement) => !sharedTexts.has(statement.text));
      out.push('This email’s footer differs from the shared footer in these sentences:', '', ...statementList(own), '');
    }
  }

  if (shared) {
    out.push('## The shared footer', '');
    out.push(
      `Every email above ends with this footer (from \`emails/_shared/layout.tsx\`)${sections.some((s) => s.footerText !== shared.footerText) ? ', except where an email lists its own' : ''}:`,
      '',
    );
    out.push(...statementList(shared.footer), '');
  }

  out.push('## Appendix: the source registry', '');
  out.push(
    'Every study (or label) an email may cite, from `emails/sources.ts`, with the facts an email may state from it.',
    '',
  );
  const citedIn = new Map<string, string[]>();
  for (const s of sections)
    for (const st of s.statements)
      for (const [id, src] of Object.entries(registry))
        if (st.lines.some((l) => l.startsWith(`Source: ${mdLink(src.short, src.url)}`)))
          citedIn.set(id, [...new Set([...(citedIn.get(id) ?? []), s.email.sentAs[0] ?? s.email.file])]);
  for (const [id, source] of Object.entries(registry)) {
    out.push(`### ${mdText(source.short)} (\`${id}\`)`, '');
    out.push(`- Citation: ${mdText(source.citation)}`);
    out.push(`- Link: <${source.url}>`);
    const ids = [
      source.year !== undefined && `Year: ${source.year}`,
      source.doi && `DOI: ${mdText(source.doi)}`,
      source.pmid && `PubMed: ${source.pmid}`,
    ].filter(Boolean);
    if (ids.length) out.push(`- ${ids.join(' · ')}`);
    out.push(`- Design: ${mdText(source.design)}`);
    out.push(`- Limits: ${mdText(source.limits)}`);
    out.push(`- Cited in: ${citedIn.has(id) ? mdText(citedIn.get(id)!.join(', ')) : 'no email'}`, '');
    const facts = Object.entries(source.facts);
    if (facts.length) {
      out.push(
        ...mdTable(
          ['Fact', 'As an email states it', 'What it measures', 'In whom'],
          facts.map(([key, fact]) => [key, say(fact), fact.measures, fact.population]),
        ),
        '',
      );
    } else {
      out.push('No numbers: an email may state only its findings.', '');
    }
    if (source.findings.length)
      out.push(
        'Findings an email may state on its authority:',
        '',
        ...source.findings.map((f) => `- ${mdText(f)}`),
        '',
      );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
