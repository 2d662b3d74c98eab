/**
 * An email rendered as `npm run check:emails` sees it: with its preview props (or a version's) and the checker's own
 * unsubscribe link, and the parts of it the checks read (subject, preview text, HTML, plain text, visible text).
 */
import { createElement } from 'react';
import { render } from 'react-email';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { StepTemplate } from '../emails/_shared/types.ts';

/** The unsubscribe link an email is rendered with while checked: a template must show the link it is given. */
export const CHECK_UNSUBSCRIBE_URL = 'https://nurture.example/unsubscribe?token=content-check';

// eslint-disable-next-line no-misleading-character-class -- U+034F (combining grapheme joiner) is invisible, matched on its own
export const squash = (text: string) => text.replace(/[\s\u200b-\u200d\u034f\ufeff]+/g, ' ').trim();
export const contains = (haystack: string, needle: string) =>
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
export function linesOf(node: Node): string {
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
