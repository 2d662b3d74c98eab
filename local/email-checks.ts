/**
 * The content checks behind `npm run check:emails` and `npm test`: every email is rendered with its preview props
 * and held to the rules a marketing email to a patient must keep. Each problem says what is wrong and how to fix
 * it, in words a marketer can act on.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createElement } from 'react';
import { render } from 'react-email';
import { DomUtils, parseDocument } from 'htmlparser2';
import { caniemail, groupIssues, rawData } from 'caniemail';
import type { Sequence } from '../lambdas/domain/sequence.ts';
import type { StepTemplate } from '../emails/_shared/types.ts';
import { claims as defaultClaims, disclaimerPhrases as defaultDisclaimer, type ClaimRule } from '../emails/content-rules.ts';

export type Rule =
  | 'unsubscribe'
  | 'postal-address'
  | 'disclaimer'
  | 'subject'
  | 'preview-text'
  | 'plain-text'
  | 'https-links'
  | 'image-alt'
  | 'size'
  | 'claims'
  | 'citations'
  | 'email-clients';

export interface Problem {
  rule: Rule;
  /** What is wrong, and why it matters. */
  problem: string;
  /** What to change, and where. */
  fix: string;
}

/** One template, where it lives and which sequence steps send it. */
export interface EmailUnderCheck {
  /** Relative to the repository, like "emails/welcome.tsx". */
  file: string;
  /** "nurture → welcome"; empty when no sequence sends it yet. */
  sentAs: string[];
  template: StepTemplate;
}

export interface ContentRules {
  claims: readonly ClaimRule[];
  disclaimerPhrases: readonly string[];
}

export const SUBJECT_MAX = 70;
/** Gmail clips a message whose HTML is larger than this and hides the rest, footer included, behind a link. */
export const HTML_MAX_BYTES = 102 * 1024;

/** The clients most of the clinic's leads read mail in (caniemail.com's names). */
export const MAJOR_CLIENTS: Parameters<typeof caniemail>[0]['clients'] = ['gmail.*', 'apple-mail.*', 'outlook.*', 'yahoo.*'];

/**
 * Features some major client does not support at all that the emails use on purpose, each with the reason it is
 * safe. Everything here comes from react-email's own components and the shared layout. Any other unsupported
 * feature fails the check.
 */
export const ACCEPTED_CLIENT_GAPS: Record<string, string> = {
  '<body> element': 'react-email repeats the body’s styles on an inner table, so clients that drop <body> show the same email.',
  'display:none': 'Only the hidden preview text uses it; react-email stacks several hiding methods so each client hides it one way.',
  opacity: 'Only the hidden preview text uses it (see display:none).',
  overflow: 'Only the hidden preview text uses it (see display:none).',
  'max-height property': 'Only the hidden preview text uses it (see display:none).',
  'role attribute': 'role="presentation" tells screen readers a table is layout; a client that drops it shows the same email.',
  'border-radius': 'Buttons get square corners in Outlook for Windows; nothing else changes.',
  'target attribute': 'Links open in a new window in every client anyway.',
  'text-decoration-line': 'A client that ignores it may underline the button text; it stays readable.',
  outline: 'react-email’s <Img> sets outline:none; a client that ignores it may outline a linked image.',
};

/** The unsubscribe link an email is rendered with while checked: a template must show the link it is given. */
const CHECK_UNSUBSCRIBE_URL = 'https://nurture.example/unsubscribe?token=content-check';

const STUDY = /\b(stud(y|ies)|trials?|reviews?|surveys?|meta-analys[ie]s|papers?|journals?|researchers)\b/i;
const EVIDENCE = /\b(19|20)\d{2}\b|\b\d[\d,]*\s+(people|patients|participants|adults|children|subjects|volunteers|women|men)\b|\bet al\b|\band colleagues\b|\d\s?%/i;

const squash = (text: string) => text.replace(/[\s\u200b-\u200d\u034f\ufeff]+/g, ' ').trim();
const contains = (haystack: string, needle: string) => squash(haystack).toLowerCase().includes(squash(needle).toLowerCase());

function claimPattern(words: string): RegExp {
  const escaped = words.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[\s-]+/g, '[\\s-]+');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'iu');
}

/** A few words either side of a match, so the message shows where the phrase is. */
function around(text: string, match: RegExpExecArray): string {
  const start = Math.max(0, match.index - 60);
  const end = Math.min(text.length, match.index + match[0].length + 60);
  return `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
}

type Node = Parameters<typeof DomUtils.textContent>[0];
const BLOCKS = new Set(['p', 'div', 'td', 'th', 'tr', 'table', 'li', 'ul', 'ol', 'br', 'hr', 'blockquote', 'section', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** The text of a node, with a space between blocks so words in separate paragraphs never run together. */
function textOf(node: Node): string {
  const parts: string[] = [];
  const walk = (current: Node) => {
    if (Array.isArray(current)) return current.forEach(walk);
    if (DomUtils.isText(current)) return void parts.push(current.data);
    const block = DomUtils.isTag(current) && BLOCKS.has(current.name);
    if (block) parts.push(' ');
    if (DomUtils.hasChildren(current)) current.children.forEach(walk);
    if (block) parts.push(' ');
  };
  walk(node);
  return squash(parts.join(''));
}

const clientName = (client: string) => {
  const [family = '', platform = ''] = client.split('.');
  const names = rawData.nicenames as { family: Record<string, string>; platform: Record<string, string> };
  return `${names.family[family] ?? family} (${names.platform[platform] ?? platform})`;
};

/** Render one template with its preview props and check it against every rule. */
export async function checkTemplate(template: StepTemplate, rules: ContentRules = { claims: defaultClaims, disclaimerPhrases: defaultDisclaimer }): Promise<Problem[]> {
  const props = { ...template.PreviewProps, unsubscribeUrl: CHECK_UNSUBSCRIBE_URL };
  const element = createElement(template, props);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  const subject = template.subject(props);
  const document = parseDocument(html);
  const body = DomUtils.findOne((node) => node.name === 'body', document.children) ?? document;
  const all = (name: string) => DomUtils.findAll((node) => node.name === name, [body]);
  const visible = textOf(body);
  // An empty text part is one problem (plain-text), not four: the text-side checks below need a text part.
  const textPart = squash(text) ? text : undefined;
  const previewNode = DomUtils.findOne((node) => node.attribs['data-skip-in-text'] === 'true' && /display:\s*none/.test(node.attribs.style ?? ''), [body]);
  const preview = previewNode ? squash(previewNode.children.filter((child) => child.type === 'text').map((child) => DomUtils.textContent(child)).join('')) : '';
  const problems: Problem[] = [];
  const report = (rule: Rule, problem: string, fix: string) => problems.push({ rule, problem, fix });
  const layoutFix = 'Wrap the email in <Layout> from emails/_shared/layout.tsx (as the other emails do): its footer adds this.';

  // CAN-SPAM and Gmail/Yahoo's bulk sender rules: a visible, working opt-out.
  const unsubscribeLinks = all('a').filter((a) => a.attribs.href === CHECK_UNSUBSCRIBE_URL && squash(DomUtils.textContent(a)));
  if (unsubscribeLinks.length === 0) {
    report('unsubscribe', 'There is no visible unsubscribe link for this lead. The law (CAN-SPAM) and Gmail and Yahoo require one in every email; a link typed into the template goes nowhere, because each lead gets their own.', `${layoutFix} In your own footer, link to {props.unsubscribeUrl}.`);
  } else if (textPart !== undefined && !textPart.includes(CHECK_UNSUBSCRIBE_URL)) {
    report('unsubscribe', 'The plain-text version of the email has no unsubscribe link.', 'Do not hide the unsubscribe link from the text version (no data-skip-in-text on it or around it).');
  }

  const { clinic } = template.PreviewProps;
  const missingLines = clinic.postalAddress.filter((line) => !contains(visible, line) || (textPart !== undefined && !contains(textPart, line)));
  if (missingLines.length > 0) {
    report('postal-address', `The clinic's postal address is missing (not found: "${missingLines.join('", "')}"). The law (CAN-SPAM) requires a valid postal address in every marketing email.`, `${layoutFix} The address itself is in emails/clinic.ts.`);
  }

  const missingPhrases = rules.disclaimerPhrases.filter((phrase) => !contains(visible, phrase) || (textPart !== undefined && !contains(textPart, phrase)));
  if (missingPhrases.length > 0) {
    report('disclaimer', `The medical disclaimer is missing or reworded (not found: "${missingPhrases.join('", "')}"). Every email must say it is not medical advice, that ketamine for migraine is off-label, and that results vary.`, `${layoutFix} If you changed the disclaimer's wording there, update disclaimerPhrases in emails/content-rules.ts to match.`);
  }

  if (!subject.trim()) report('subject', 'The subject line is empty.', 'Return a subject from the template’s .subject function.');
  else if (subject.length > SUBJECT_MAX) {
    report('subject', `The subject line is ${subject.length} characters long: "${subject}". Over ${SUBJECT_MAX}, most inboxes cut it off.`, `Shorten the .subject in the template to ${SUBJECT_MAX} characters or fewer (a first name in it counts too).`);
  }

  if (!preview) report('preview-text', 'There is no preview text: inboxes will show the first words of the email (often the clinic name) next to the subject instead.', 'Give the template a .preview line and pass it to <Layout preview={...}>.');

  if (textPart === undefined) report('plain-text', 'The plain-text version of the email is empty. Some mail apps and spam filters read only that version.', 'Put the message in text, not only in images, and do not mark it data-skip-in-text.');

  const insecure = [...all('a').map((a) => a.attribs.href ?? ''), ...all('area').map((a) => a.attribs.href ?? '')].filter((href) => !/^(https:|mailto:|tel:)/i.test(href));
  const insecureImages = all('img').map((img) => img.attribs.src ?? '').filter((src) => !/^https:/i.test(src));
  if (insecure.length > 0 || insecureImages.length > 0) {
    report('https-links', `Some links or images do not use https: ${[...insecure, ...insecureImages].map((url) => `"${url || '(empty)'}"`).join(', ')}. Mail apps flag plain http as unsafe, and it can be read or changed on the way.`, 'Change each address to start with https:// (mailto: and tel: links are fine).');
  }

  const noAlt = all('img').filter((img) => !img.attribs.alt?.trim());
  if (noAlt.length > 0) {
    report('image-alt', `${noAlt.length} image(s) have no alt text (${noAlt.map((img) => `"${img.attribs.src ?? ''}"`).join(', ')}). Many inboxes block images at first, and screen readers read the alt text aloud.`, 'Give every <Img> an alt="…" that says what the image shows.');
  }

  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes > HTML_MAX_BYTES) {
    report('size', `The email's HTML is ${(bytes / 1024).toFixed(1)} KB. Gmail clips anything over 102 KB and hides the rest, including the unsubscribe link and the address.`, 'Shorten the email or split it in two steps; large inline images or repeated blocks are the usual cause.');
  }

  // Line by line, so the message can quote the sentence the phrase is in.
  const lines = [subject, preview, ...(textPart ?? visible).split('\n'), ...all('img').map((img) => img.attribs.alt ?? '')].map(squash).filter(Boolean);
  for (const rule of rules.claims) {
    for (const words of rule.words) {
      const pattern = claimPattern(words);
      for (const line of lines) {
        const match = pattern.exec(line);
        if (!match) continue;
        report('claims', `It says "${match[0]}" ("${around(line, match)}"). The clinic must not make this claim without evidence it can show (FTC rules on health claims).`, `${rule.instead} The list of phrases is in emails/content-rules.ts.`);
        break;
      }
    }
  }

  for (const block of [...all('p'), ...all('li'), ...all('blockquote')]) {
    const words = textOf(block);
    const linked = DomUtils.findAll((node) => node.name === 'a' && /^https:/i.test(node.attribs.href ?? ''), block.children).length > 0;
    if (STUDY.test(words) && EVIDENCE.test(words) && !linked) {
      report('citations', `This paragraph cites a study without a source link: "${words.length > 140 ? `${words.slice(0, 140)}…` : words}".`, 'Add a link to the study in the same paragraph, e.g. <A href="https://pubmed.ncbi.nlm.nih.gov/…">Source</A>.');
    }
  }

  const unsupported = new Map<string, Set<string>>();
  for (const group of groupIssues(caniemail({ clients: MAJOR_CLIENTS, html }).issues.errors)) {
    if (group.issue.title in ACCEPTED_CLIENT_GAPS) continue;
    unsupported.set(group.issue.title, new Set([...(unsupported.get(group.issue.title) ?? []), ...group.clients]));
  }
  for (const [title, clients] of unsupported) {
    const url = rawData.data.find((feature) => feature.title === title)?.url ?? 'https://www.caniemail.com';
    report('email-clients', `It uses “${title}”, which ${[...clients].map(clientName).join(', ')} cannot show (${url}).`, 'Lay the email out with react-email’s components (<Section>, <Row>, <Column>, <Img>, <Button>) and simple styles (colour, font, size, padding), which every major client supports.');
  }
  return problems;
}

/** Every email a sequence sends, and every template file in `dir`, with the file it lives in. */
export async function emailsToCheck(sequences: Readonly<Record<string, Sequence<{ id: string; template: StepTemplate }>>>, dir = 'emails'): Promise<EmailUnderCheck[]> {
  const byTemplate = new Map<StepTemplate, EmailUnderCheck>();
  for (const file of templateFiles(dir)) {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: StepTemplate };
    if (typeof module.default === 'function' && module.default.PreviewProps) byTemplate.set(module.default, { file, sentAs: [], template: module.default });
  }
  for (const sequence of Object.values(sequences)) {
    for (const step of sequence.steps) {
      const entry = byTemplate.get(step.template) ?? { file: `${sequence.id} → ${step.id} (template not in ${dir}/)`, sentAs: [], template: step.template };
      entry.sentAs.push(`${sequence.id} → ${step.id}`);
      byTemplate.set(step.template, entry);
    }
  }
  return [...byTemplate.values()];
}

/** The template files the preview server lists: .tsx/.jsx files under `dir`, outside folders starting with "_". */
export function templateFiles(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return files
    .filter((file) => /\.(tsx|jsx)$/.test(file) && !file.split(/[\\/]/).some((part) => part.startsWith('_')))
    .map((file) => relative(process.cwd(), join(dir, file)))
    .sort();
}

/** Load templates from files given on the command line (`npm run check:emails -- emails/welcome.tsx`). */
export async function emailsFromFiles(files: string[]): Promise<EmailUnderCheck[]> {
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(resolve(file)).href)) as { default: StepTemplate };
      return { file: relative(process.cwd(), resolve(file)), sentAs: [], template: module.default };
    }),
  );
}

/** The report a marketer reads: each failing email, each problem, and its fix. */
export function formatProblems(email: Pick<EmailUnderCheck, 'file' | 'sentAs'>, problems: Problem[]): string {
  const heading = `✗ ${email.file}${email.sentAs.length ? ` (sent as ${email.sentAs.join(', ')})` : ''}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return [heading, ...problems.map((p, i) => `  ${i + 1}. ${p.problem}\n     Fix: ${p.fix}`)].join('\n');
}
