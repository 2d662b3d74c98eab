/**
 * The content checks behind `npm run check:emails` and `npm test`: every email is rendered with its preview props
 * (and again for each of its other versions, such as the after-visit note for an attended visit) and held to the rules a marketing email to a patient must keep. Each problem says what is wrong and how to fix
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
import { claimProblems } from './claim-matching.ts';
import {
  claims as defaultClaims,
  disclaimerPhrases as defaultDisclaimer,
  type ClaimRule,
} from '../emails/content-rules.ts';
import { analyzeEmail, citationProblems, sourceProblems } from './source-checks.ts';

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
  | 'sources'
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
export const MAJOR_CLIENTS: Parameters<typeof caniemail>[0]['clients'] = [
  'gmail.*',
  'apple-mail.*',
  'outlook.*',
  'yahoo.*',
];

/**
 * Features some major client does not support at all that the emails use on purpose, each with the reason it is
 * safe. Everything here comes from react-email's own components and the shared layout. Any other unsupported
 * feature fails the check.
 */
export const ACCEPTED_CLIENT_GAPS: Record<string, string> = {
  '<body> element':
    'react-email repeats the body’s styles on an inner table, so clients that drop <body> show the same email.',
  'display:none':
    'Only the hidden preview text uses it; react-email stacks several hiding methods so each client hides it one way.',
  opacity: 'Only the hidden preview text uses it (see display:none).',
  overflow: 'Only the hidden preview text uses it (see display:none).',
  'max-height property': 'Only the hidden preview text uses it (see display:none).',
  'role attribute':
    'role="presentation" tells screen readers a table is layout; a client that drops it shows the same email.',
  'border-radius': 'Buttons get square corners in Outlook for Windows; nothing else changes.',
  'target attribute': 'Links open in a new window in every client anyway.',
  'text-decoration-line': 'A client that ignores it may underline the button text; it stays readable.',
  outline: 'react-email’s <Img> sets outline:none; a client that ignores it may outline a linked image.',
};

/** The unsubscribe link an email is rendered with while checked: a template must show the link it is given. */
const CHECK_UNSUBSCRIBE_URL = 'https://nurture.example/unsubscribe?token=content-check';

// eslint-disable-next-line no-misleading-character-class -- U+034F (combining grapheme joiner) is invisible, matched on its own
const squash = (text: string) => text.replace(/[\s\u200b-\u200d\u034f\ufeff]+/g, ' ').trim();
const contains = (haystack: string, needle: string) =>
  squash(haystack).toLowerCase().includes(squash(needle).toLowerCase());

type Node = Parameters<typeof DomUtils.textContent>[0];
const BLOCKS = new Set([
  'p',
  'div',
  'td',
  'th',
  'tr',
  'table',
  'li',
  'ul',
  'ol',
  'br',
  'hr',
  'blockquote',
  'section',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
]);

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

/** The text of a node, one line per block: the claims rule reads it paragraph by paragraph, sentence by sentence. */
function linesOf(node: Node): string {
  const parts: string[] = [];
  const walk = (current: Node) => {
    if (Array.isArray(current)) return current.forEach(walk);
    // A line break in the HTML source is a space on screen; <br> is a line break, and a block a blank line.
    if (DomUtils.isText(current)) return void parts.push(current.data.replace(/\s+/g, ' '));
    if (DomUtils.isTag(current) && current.name === 'br') return void parts.push('\n');
    const block = DomUtils.isTag(current) && BLOCKS.has(current.name);
    if (block) parts.push('\n\n');
    if (DomUtils.hasChildren(current)) current.children.forEach(walk);
    if (block) parts.push('\n\n');
  };
  walk(node);
  return parts.join('');
}

const clientName = (client: string) => {
  const [family = '', platform = ''] = client.split('.');
  const names = rawData.nicenames as { family: Record<string, string>; platform: Record<string, string> };
  return `${names.family[family] ?? family} (${names.platform[platform] ?? platform})`;
};

type Element = ReturnType<typeof DomUtils.findAll>[number];

/** An email rendered for checking, and the parts of it the rules look at. */
export interface Rendered {
  subject: string;
  /** The hidden preview text, as the HTML carries it. */
  preview: string;
  html: string;
  /** The plain-text part; undefined when it is empty. */
  text?: string;
  /** The text a reader sees in the HTML body. */
  visible: string;
  all: (tag: string) => Element[];
  clinic: StepTemplate['PreviewProps']['clinic'];
}

/** Render a template as the checks see it: with its preview props (and a version's), and the checker's own unsubscribe link. */
export async function renderForCheck(
  template: StepTemplate,
  version: Partial<StepTemplate['PreviewProps']> = {},
): Promise<Rendered> {
  const props = { ...template.PreviewProps, ...version, unsubscribeUrl: CHECK_UNSUBSCRIBE_URL };
  const element = createElement(template, props);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  const document = parseDocument(html);
  const body = DomUtils.findOne((node) => node.name === 'body', document.children) ?? document;
  const previewNode = DomUtils.findOne(
    (node) => node.attribs['data-skip-in-text'] === 'true' && /display:\s*none/.test(node.attribs.style ?? ''),
    [body],
  );
  return {
    subject: template.subject(props),
    preview: previewNode
      ? squash(
          previewNode.children
            .filter((child) => DomUtils.isText(child))
            .map((child) => DomUtils.textContent(child))
            .join(''),
        )
      : '',
    html,
    // An empty text part is one problem (plain-text), not four: the text-side checks need a text part.
    ...(squash(text) && { text }),
    visible: textOf(body),
    all: (tag) => DomUtils.findAll((node) => node.name === tag, [body]),
    clinic: template.PreviewProps.clinic,
  };
}

type Check = (email: Rendered, rules: ContentRules) => Problem[];

const LAYOUT_FIX =
  'Wrap the email in <Layout> from emails/_shared/layout.tsx (as the other emails do): its footer adds this.';
const inBoth = (email: Rendered, words: string) =>
  contains(email.visible, words) && (email.text === undefined || contains(email.text, words));

/** One check per rule; each returns its problems, with what is wrong and how to fix it. */
const CHECKS: Record<Rule, Check> = {
  // CAN-SPAM and Gmail/Yahoo's bulk sender rules: a visible, working opt-out.
  unsubscribe: ({ all, text }) => {
    if (!all('a').some((a) => a.attribs.href === CHECK_UNSUBSCRIBE_URL && squash(DomUtils.textContent(a)))) {
      return [
        {
          rule: 'unsubscribe',
          problem:
            'There is no visible unsubscribe link for this lead. The law (CAN-SPAM) and Gmail and Yahoo require one in every email; a link typed into the template goes nowhere, because each lead gets their own.',
          fix: `${LAYOUT_FIX} In your own footer, link to {props.unsubscribeUrl}.`,
        },
      ];
    }
    if (text !== undefined && !text.includes(CHECK_UNSUBSCRIBE_URL)) {
      return [
        {
          rule: 'unsubscribe',
          problem: 'The plain-text version of the email has no unsubscribe link.',
          fix: 'Do not hide the unsubscribe link from the text version (no data-skip-in-text on it or around it).',
        },
      ];
    }
    return [];
  },

  'postal-address': (email) => {
    const missing = email.clinic.postalAddress.filter((line) => !inBoth(email, line));
    return missing.length === 0
      ? []
      : [
          {
            rule: 'postal-address',
            problem: `The clinic's postal address is missing (not found: "${missing.join('", "')}"). The law (CAN-SPAM) requires a valid postal address in every marketing email.`,
            fix: `${LAYOUT_FIX} The address itself is in emails/clinic.ts.`,
          },
        ];
  },

  disclaimer: (email, rules) => {
    const missing = rules.disclaimerPhrases.filter((phrase) => !inBoth(email, phrase));
    return missing.length === 0
      ? []
      : [
          {
            rule: 'disclaimer',
            problem: `The medical disclaimer is missing or reworded (not found: "${missing.join('", "')}"). Every email must say it is not medical advice, that ketamine for migraine is off-label, and that results vary.`,
            fix: `${LAYOUT_FIX} If you changed the disclaimer's wording there, update disclaimerPhrases in emails/content-rules.ts to match.`,
          },
        ];
  },

  subject: ({ subject }) => {
    if (!subject.trim())
      return [
        {
          rule: 'subject',
          problem: 'The subject line is empty.',
          fix: 'Return a subject from the template’s .subject function.',
        },
      ];
    if (subject.length <= SUBJECT_MAX) return [];
    return [
      {
        rule: 'subject',
        problem: `The subject line is ${subject.length} characters long: "${subject}". Over ${SUBJECT_MAX}, most inboxes cut it off.`,
        fix: `Shorten the .subject in the template to ${SUBJECT_MAX} characters or fewer (a first name in it counts too).`,
      },
    ];
  },

  'preview-text': ({ preview }) =>
    preview
      ? []
      : [
          {
            rule: 'preview-text',
            problem:
              'There is no preview text: inboxes will show the first words of the email (often the clinic name) next to the subject instead.',
            fix: 'Give the template a .preview line and pass it to <Layout preview={...}>.',
          },
        ],

  'plain-text': ({ text }) =>
    text !== undefined
      ? []
      : [
          {
            rule: 'plain-text',
            problem:
              'The plain-text version of the email is empty. Some mail apps and spam filters read only that version.',
            fix: 'Put the message in text, not only in images, and do not mark it data-skip-in-text.',
          },
        ],

  'https-links': ({ all }) => {
    const links = [...all('a'), ...all('area')]
      .map((a) => a.attribs.href ?? '')
      .filter((href) => !/^(https:|mailto:|tel:)/i.test(href));
    const images = all('img')
      .map((img) => img.attribs.src ?? '')
      .filter((src) => !/^https:/i.test(src));
    const insecure = [...links, ...images];
    return insecure.length === 0
      ? []
      : [
          {
            rule: 'https-links',
            problem: `Some links or images do not use https: ${insecure.map((url) => `"${url || '(empty)'}"`).join(', ')}. Mail apps flag plain http as unsafe, and it can be read or changed on the way.`,
            fix: 'Change each address to start with https:// (mailto: and tel: links are fine).',
          },
        ];
  },

  'image-alt': ({ all }) => {
    const noAlt = all('img').filter((img) => !img.attribs.alt?.trim());
    return noAlt.length === 0
      ? []
      : [
          {
            rule: 'image-alt',
            problem: `${noAlt.length} image(s) have no alt text (${noAlt.map((img) => `"${img.attribs.src ?? ''}"`).join(', ')}). Many inboxes block images at first, and screen readers read the alt text aloud.`,
            fix: 'Give every <Img> an alt="…" that says what the image shows.',
          },
        ];
  },

  size: ({ html }) => {
    const bytes = Buffer.byteLength(html, 'utf8');
    return bytes <= HTML_MAX_BYTES
      ? []
      : [
          {
            rule: 'size',
            problem: `The email's HTML is ${(bytes / 1024).toFixed(1)} KB. Gmail clips anything over 102 KB and hides the rest, including the unsubscribe link and the address.`,
            fix: 'Shorten the email or split it in two steps; large inline images or repeated blocks are the usual cause.',
          },
        ];
  },

  // Subject, preview text, the HTML as a reader sees it, the plain text and alt text, sentence by sentence: one
  // problem per sentence that makes a claim (local/claim-matching.ts; the rules are in emails/content-rules.ts).
  claims: ({ subject, preview, text, visible, all }, rules) => {
    const [body] = all('body');
    const texts = [
      subject,
      preview,
      body ? linesOf(body) : visible,
      text ?? '',
      ...all('img').map((img) => img.attribs.alt ?? ''),
    ];
    return claimProblems(texts, rules.claims).map((problem) => ({ rule: 'claims' as const, ...problem }));
  },

  // A paragraph about a study with no study link; and every study number and link against emails/sources.ts
  // (local/source-checks.ts says exactly which numbers and links, in plain words).
  citations: (email) => citationProblems(analyzeEmail(email)),

  sources: (email) => sourceProblems(analyzeEmail(email)),

  'email-clients': ({ html }) => {
    const unsupported = new Map<string, Set<string>>();
    for (const group of groupIssues(caniemail({ clients: MAJOR_CLIENTS, html }).issues.errors)) {
      if (group.issue.title in ACCEPTED_CLIENT_GAPS) continue;
      unsupported.set(group.issue.title, new Set([...(unsupported.get(group.issue.title) ?? []), ...group.clients]));
    }
    return [...unsupported].map(([title, clients]) => ({
      rule: 'email-clients' as const,
      problem: `It uses “${title}”, which ${[...clients].map(clientName).join(', ')} cannot show (${rawData.data.find((feature) => feature.title === title)?.url ?? 'https://www.caniemail.com'}).`,
      fix: 'Lay the email out with react-email’s components (<Section>, <Row>, <Column>, <Img>, <Button>) and simple styles (colour, font, size, padding), which every major client supports.',
    }));
  },
};

/**
 * Render one template with its preview props (and an unsubscribe link of the checker's own) and check every rule;
 * then each of its other versions (`Variants`), naming the version in any problem only that version has.
 */
export async function checkTemplate(
  template: StepTemplate,
  rules: ContentRules = { claims: defaultClaims, disclaimerPhrases: defaultDisclaimer },
): Promise<Problem[]> {
  const check = async (version?: Partial<StepTemplate['PreviewProps']>) => {
    const email = await renderForCheck(template, version);
    return Object.values(CHECKS).flatMap((rule) => rule(email, rules));
  };
  const problems = await check();
  for (const [name, version] of Object.entries(template.Variants ?? {})) {
    const seen = new Set(problems.map((p) => p.problem));
    problems.push(
      ...(await check(version))
        .filter((p) => !seen.has(p.problem))
        .map((p) => ({ ...p, problem: `In the "${name}" version (${describeVersion(version)}): ${p.problem}` })),
    );
  }
  return problems;
}

const describeVersion = (version: object) =>
  Object.entries(version)
    .map(([prop, value]) => `${prop}: ${value === undefined ? 'not given' : JSON.stringify(value)}`)
    .join(', ');

/** Every email a sequence sends, and every template file in `dir`, with the file it lives in. */
export async function emailsToCheck(
  sequences: Readonly<Record<string, Sequence<{ id: string; template: StepTemplate }>>>,
  dir = 'emails',
): Promise<EmailUnderCheck[]> {
  const byTemplate = new Map<StepTemplate, EmailUnderCheck>();
  for (const file of templateFiles(dir)) {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: StepTemplate };
    if (typeof module.default === 'function' && module.default.PreviewProps)
      byTemplate.set(module.default, { file, sentAs: [], template: module.default });
  }
  for (const sequence of Object.values(sequences)) {
    for (const step of sequence.steps) {
      const entry = byTemplate.get(step.template) ?? {
        file: `${sequence.id} → ${step.id} (template not in ${dir}/)`,
        sentAs: [],
        template: step.template,
      };
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
