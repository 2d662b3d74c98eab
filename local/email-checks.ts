/**
 * The content checks behind `npm run check:emails` and `npm test`: every email is rendered with its preview props
 * (and again for each of its other versions, such as the after-visit note for an attended visit; `email-render.ts`)
 * and held to the rules a marketing email to a patient must keep. Each problem says what is wrong and how to fix it,
 * in words a marketer can act on. Which emails are checked: `email-templates.ts`; what mail clients can show:
 * `email-clients.ts`.
 */
import { DomUtils } from 'htmlparser2';
import type { StepTemplate } from '../emails/_shared/types.ts';
import { claimProblems } from './claim-matching.ts';
import { clientProblems } from './email-clients.ts';
import {
  claims as defaultClaims,
  disclaimerPhrases as defaultDisclaimer,
  type ClaimRule,
} from '../emails/content-rules.ts';
import { CHECK_UNSUBSCRIBE_URL, contains, linesOf, renderForCheck, squash, type Rendered } from './email-render.ts';
import type { EmailUnderCheck } from './email-templates.ts';
import { analyzeEmail } from './source-analysis.ts';
import { citationProblems, sourceProblems } from './source-checks.ts';

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

export interface ContentRules {
  claims: readonly ClaimRule[];
  disclaimerPhrases: readonly string[];
}

export const SUBJECT_MAX = 70;
/** Gmail clips a message whose HTML is larger than this and hides the rest, footer included, behind a link. */
export const HTML_MAX_BYTES = 102 * 1024;

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

  'email-clients': ({ html }) => clientProblems(html),
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

/** The report a marketer reads: each failing email, each problem, and its fix. */
export function formatProblems(email: Pick<EmailUnderCheck, 'file' | 'sentAs'>, problems: Problem[]): string {
  const heading = `✗ ${email.file}${email.sentAs.length ? ` (sent as ${email.sentAs.join(', ')})` : ''}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return [heading, ...problems.map((p, i) => `  ${i + 1}. ${p.problem}\n     Fix: ${p.fix}`)].join('\n');
}
