import { describe, expect, it } from 'vitest';
import { sources, type Source } from '../../../emails/sources.ts';
import { classifyLink, normalizeUrl } from '../../../local/study-links.ts';

describe('links', () => {
  it.each([
    ['http://dx.doi.org/10.1111/HEAD.13013/', 'https://doi.org/10.1111/head.13013'],
    ['https://www.doi.org/10.1136/rapm-2022-104223', 'https://doi.org/10.1136/rapm-2022-104223'],
    ['https://pubmed.ncbi.nlm.nih.gov/23365053', 'https://pubmed.ncbi.nlm.nih.gov/23365053'],
    ['https://pubmed.ncbi.nlm.nih.gov/23365053/', 'https://pubmed.ncbi.nlm.nih.gov/23365053'],
  ])('normalizeUrl(%s) = %s', (href, normal) => {
    expect(normalizeUrl(href)).toBe(normal);
  });

  it.each([
    ['https://doi.org/10.1111/head.13013', 'registry', 'pomeroy2017'],
    ['http://dx.doi.org/10.1111/HEAD.13013/', 'registry', 'pomeroy2017'],
    ['https://pubmed.ncbi.nlm.nih.gov/23365053', 'registry', 'afridi2013'],
    ['https://pubmed.ncbi.nlm.nih.gov/28025837/', 'registry-elsewhere', 'pomeroy2017'],
    ['https://doi.org/10.1212/WNL.0b013e3182824e66', 'registry-elsewhere', 'afridi2013'],
    ['https://onlinelibrary.wiley.com/doi/10.1111/head.13013', 'registry-elsewhere', 'pomeroy2017'],
    ['https://pubmed.ncbi.nlm.nih.gov/?term=ketamine+refractory+headache', 'search', undefined],
    ['https://scholar.google.com/scholar?q=ketamine+migraine', 'search', undefined],
    ['https://www.google.com/search?q=ketamine', 'search', undefined],
    ['https://doi.org/10.5555/12345678', 'study', undefined],
    ['https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/', 'study', undefined],
    ['https://journals.sagepub.com/doi/full/10.1177/03331024231111111', 'study', undefined],
    ['https://clinic.example/consultation', 'other', undefined],
    ['https://clinic.example/unsubscribe?token=abc', 'other', undefined],
    ['mailto:care@clinic.example', 'other', undefined],
    ['tel:+14785550100', 'other', undefined],
  ])('%s is a %s link', (href, kind, id) => {
    const verdict = classifyLink(href);
    expect(verdict.kind).toBe(kind);
    expect('id' in verdict ? verdict.id : undefined).toBe(id);
  });

  it('every registry source links to the paper itself (or its label), never to a search', () => {
    for (const [id, source] of Object.entries(sources) as Array<[string, Source]>) {
      expect(classifyLink(source.url), id).toMatchObject({ kind: 'registry', id });
      expect(source.url, id).not.toMatch(/[?&](term|q|query)=/);
      if (source.doi && source.url.includes('doi.org'))
        expect(normalizeUrl(source.url), id).toBe(normalizeUrl(`https://doi.org/${source.doi}`));
      if (source.pmid && source.url.includes('pubmed'))
        expect(normalizeUrl(source.url), id).toBe(`https://pubmed.ncbi.nlm.nih.gov/${source.pmid}`);
    }
  });
});
