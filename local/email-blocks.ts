/**
 * A rendered email as the source checks read it: its subject, preview text, headings, paragraphs and list items,
 * each with the study links it holds (`source-checks.ts`).
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import { sources as defaultRegistry } from '../emails/sources.ts';
import type { ClinicDetails } from './stated-numbers.ts';
import { classifyLink, type LinkVerdict, type Registry } from './study-links.ts';

// ---------------------------------------------------------------------------------------------------------------
// Blocks: paragraphs, list items, headings, and the subject and preview text

/** What the source checks read of a rendered email. */
export interface EmailText {
  subject: string;
  preview: string;
  html: string;
  clinic?: ClinicDetails;
}

export type BlockKind = 'subject' | 'preview' | 'heading' | 'paragraph' | 'list item' | 'quote' | 'other';

export interface LinkInBlock {
  href: string;
  /** The link's own text, and where it sits in the block's text. */
  text: string;
  start: number;
  end: number;
  verdict: LinkVerdict;
}

/** A paragraph, list item, quote or heading (or the subject or preview text), with its links. */
export interface Block {
  kind: BlockKind;
  /** Subject and preview text: 'header'; after the layout's last rule (<hr>): 'footer'. */
  part: 'header' | 'body' | 'footer';
  /** As a reader sees it; a line break inside the block is "\n". */
  text: string;
  links: LinkInBlock[];
}

const BLOCK_TAGS: Record<string, BlockKind> = {
  p: 'paragraph',
  li: 'list item',
  blockquote: 'quote',
  h1: 'heading',
  h2: 'heading',
  h3: 'heading',
  h4: 'heading',
  h5: 'heading',
  h6: 'heading',
  td: 'other',
  th: 'other',
  div: 'other',
  dt: 'other',
  dd: 'other',
  figcaption: 'other',
  pre: 'other',
  table: 'other',
  ul: 'other',
  ol: 'other',
};
// eslint-disable-next-line no-misleading-character-class -- U+034F (combining grapheme joiner) is invisible, matched on its own
const SPACE = /[\s\u00a0\u200b-\u200d\u034f\ufeff]+/g;

type DomNode = ReturnType<typeof parseDocument>['children'][number];

/** The blocks of an email, in reading order: the subject, the preview text, then each block of the body. */
export function blocksOf(email: EmailText, registry: Registry = defaultRegistry): Block[] {
  const document = parseDocument(email.html);
  const body = DomUtils.findOne((node) => node.name === 'body', document.children) ?? document;
  interface Building {
    kind: BlockKind;
    text: string;
    links: LinkInBlock[];
    /** When its first word was read, to tell the footer from the body. */
    firstAt?: number;
  }
  const done: Building[] = [];
  let clock = 0;
  let lastRule = -1;
  const append = (block: Building, raw: string) => {
    let piece = raw.replace(SPACE, ' ');
    if (!block.text || /[\s]$/.test(block.text)) piece = piece.replace(/^ /, '');
    if (!piece) return;
    if (block.firstAt === undefined && piece.trim()) block.firstAt = clock++;
    block.text += piece;
  };
  const walk = (node: DomNode, block: Building) => {
    if (DomUtils.isText(node)) return append(block, node.data);
    if (!DomUtils.isTag(node)) return;
    const name = node.name.toLowerCase();
    if (['head', 'style', 'script', 'title'].includes(name)) return;
    // The hidden preview text is read as the preview, not as part of the body.
    if (node.attribs['data-skip-in-text'] === 'true' && /display:\s*none/.test(node.attribs.style ?? '')) return;
    if (name === 'br') {
      if (block.text) block.text = `${block.text.trimEnd()}\n`;
      return;
    }
    if (name === 'hr') {
      lastRule = clock++;
      return;
    }
    const kind = BLOCK_TAGS[name];
    if (kind) {
      const inner: Building = { kind, text: '', links: [] };
      done.push(inner);
      node.children.forEach((child) => walk(child, inner));
      if (block.text && !/\s$/.test(block.text)) block.text += ' ';
      return;
    }
    if (name === 'a' && node.attribs.href) {
      const before = block.text.length;
      node.children.forEach((child) => walk(child, block));
      const text = block.text.slice(before);
      const start = before + (text.length - text.trimStart().length);
      block.links.push({
        href: node.attribs.href,
        text: text.trim(),
        start,
        end: start + text.trim().length,
        verdict: classifyLink(node.attribs.href, registry),
      });
      return;
    }
    node.children.forEach((child) => walk(child, block));
  };
  const root: Building = { kind: 'other', text: '', links: [] };
  done.push(root);
  body.children.forEach((child) => walk(child, root));

  const blocks: Block[] = [
    { kind: 'subject', part: 'header', text: email.subject.replace(SPACE, ' ').trim(), links: [] },
    { kind: 'preview', part: 'header', text: email.preview.replace(SPACE, ' ').trim(), links: [] },
  ];
  // Text is kept free of leading and doubled spaces as it is read, so link positions hold; only the end is trimmed.
  for (const block of done.filter((b) => b.text.trim()).sort((a, b) => (a.firstAt ?? 0) - (b.firstAt ?? 0))) {
    blocks.push({
      kind: block.kind,
      part: lastRule >= 0 && (block.firstAt ?? 0) > lastRule ? 'footer' : 'body',
      text: block.text.trimEnd(),
      links: block.links,
    });
  }
  return blocks.filter((block) => block.text);
}
