import { describe, expect, it } from 'vitest';
import { clinic } from '../../../emails/clinic.ts';
import { sources } from '../../../emails/sources.ts';
import { analyzeEmail } from '../../../local/source-analysis.ts';

const email = (body: string) => ({
  subject: 'A note',
  preview: 'A note from the clinic.',
  html: `<html><body>${body}</body></html>`,
  clinic,
});
const cite = (id: keyof typeof sources) => `(<a href="${sources[id].url}">${sources[id].short}</a>)`;

describe('reading an email against the source registry', () => {
  it('a paragraph that links a registry paper cites it, and a number it states is backed by that paper’s fact', () => {
    const analysis = analyzeEmail(email(`<p>The review covered 77 patients ${cite('pomeroy2017')}.</p>`));
    expect(analysis.cited.map((c) => c.id)).toEqual(['pomeroy2017']);
    const paragraph = analysis.blocks.find((block) => block.block.kind === 'paragraph')!;
    expect(paragraph.mode).toBe('cited');
    expect(
      paragraph.numbers.map((n) => [n.number.value, n.checked, n.backing.map((b) => 'key' in b && b.key)]),
    ).toEqual([[77, true, ['patients']]]);
  });

  it('a number no cited paper holds has no backing, and names the registry paper that does hold it', () => {
    const analysis = analyzeEmail(email(`<p>The review covered 77 patients ${cite('yuan2023')}.</p>`));
    const [number] = analysis.blocks.find((block) => block.block.kind === 'paragraph')!.numbers;
    expect(number!.backing).toEqual([]);
    expect(number!.elsewhere.map((b) => b.id)).toEqual(['pomeroy2017']);
  });

  it('the source named in a link belongs to the sentence before it, and its year is no claim', () => {
    const analysis = analyzeEmail(email(`<p>Pain fell for most. ${cite('pomeroy2017')}</p>`));
    const paragraph = analysis.blocks.find((block) => block.block.kind === 'paragraph')!;
    expect(paragraph.sentences.map((s) => s.text)).toEqual([`Pain fell for most. (${sources.pomeroy2017.short})`]);
    expect(paragraph.numbers).toEqual([]);
  });
});
