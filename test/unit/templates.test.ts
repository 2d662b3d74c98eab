import { createElement } from 'react';
import { render } from 'react-email';
import { describe, expect, it } from 'vitest';
import { sources } from '../../emails/the-research.tsx';
import { sequences } from '../../emails/sequences.ts';

const BANNED = /\b(cure[sd]?|guarantee[sd]?|miracle|breakthrough)\b|100%|no side effects|FDA-approved for migraine/i;
const steps = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => [`${sequence.id}/${step.id}`, step.template] as const));

describe.each(steps)('the %s email, rendered with its preview props', (_name, template) => {
  const props = template.PreviewProps;
  const element = createElement(template, props);

  it('shows the clinic’s name and full postal address, the disclaimer and a visible unsubscribe link', async () => {
    const html = await render(element);
    expect(html).toContain(props.clinic.name);
    for (const line of props.clinic.postalAddress) expect(html).toContain(line);
    expect(html).toMatch(/not medical advice/i);
    expect(html).toMatch(/off-label/i);
    expect(html).toMatch(/results vary/i);
    expect(html).toContain(`href="${props.unsubscribeUrl}"`);
    expect(html).toMatch(/>\s*Unsubscribe\s*</);
  });

  it('has a plain-text part with the same unsubscribe link', async () => {
    const text = await render(element, { plainText: true });
    expect(text.length).toBeGreaterThan(400);
    expect(text).toContain(props.unsubscribeUrl);
  });

  it('has a subject of at most 70 characters and preview text', () => {
    expect(template.subject(props).length).toBeGreaterThan(0);
    expect(template.subject(props).length).toBeLessThanOrEqual(70);
    expect(template.preview(props).length).toBeGreaterThan(0);
  });

  it('makes no claim the clinic cannot back: no "cure", "guaranteed", "100%", "no side effects"', async () => {
    const text = await render(element, { plainText: true });
    expect(`${template.subject(props)} ${template.preview(props)} ${text}`).not.toMatch(BANNED);
  });

  it('links only over https', async () => {
    const html = await render(element);
    for (const [, href] of html.matchAll(/href="([^"]+)"/g)) expect(href).toMatch(/^https:\/\//);
  });
});

describe('the research email', () => {
  it('links every study it cites to a source', async () => {
    const template = sequences.nurture!.steps.find((step) => step.id === 'the-research')!.template;
    const html = await render(createElement(template, template.PreviewProps));
    for (const url of Object.values(sources)) expect(html).toContain(`href="${url}"`);
    expect(html).toMatch(/77/);
    expect(html).toMatch(/169/);
    expect(html).toMatch(/49%/);
  });
});
