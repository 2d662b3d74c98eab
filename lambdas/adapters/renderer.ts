import { createElement } from 'react';
import { render } from 'react-email';
import type { Clinic } from '../../emails/clinic.ts';
import type { EmailStep } from '../../emails/sequences.ts';
import type { Sequence } from '../domain/sequence.ts';
import type { RenderedEmail, Renderer } from '../domain/ports.ts';

type Props = { firstName: string; unsubscribeUrl: string };

// Stand-ins rendered into a step once; each send swaps in the lead's own values.
const NAME = 'Nurtureplaceholdername';
const URL_ = 'https://placeholder.invalid/unsubscribe';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!);
// The plain-text part comes from html-to-text, which collapses runs of whitespace and upper-cases headings.
const asText = (text: string) => text.replace(/[ \t\r\n\f\u200b]+/g, ' ');

interface Compiled {
  html: string;
  text: string;
}

/** A step rendered with the stand-ins, with one lead's values put in their place. */
function fill(template: Compiled, { firstName, unsubscribeUrl }: Props): Compiled {
  const name = asText(firstName);
  return {
    html: template.html.replaceAll(NAME, escapeHtml(firstName)).replaceAll(URL_, escapeHtml(unsubscribeUrl)),
    text: template.text.replaceAll(NAME.toUpperCase(), name.toUpperCase()).replaceAll(NAME, name).replaceAll(URL_, unsubscribeUrl),
  };
}

/**
 * Renders a step's react-email template to subject, HTML and a plain-text part.
 * A React render costs milliseconds, so each step is rendered once with stand-ins for the first name and the
 * unsubscribe link, and each send fills them in. The first send of a step checks that this gives exactly what a
 * direct render gives; a template that transforms those values is simply rendered every time.
 */
export class ReactEmailRenderer implements Renderer {
  private readonly compiled = new Map<string, Promise<Compiled | undefined>>();

  constructor(
    private readonly sequences: Readonly<Record<string, Sequence<EmailStep>>>,
    private readonly clinic: Clinic,
  ) {}

  async render(sequenceId: string, stepId: string, props: Props): Promise<RenderedEmail> {
    const step = this.sequences[sequenceId]?.steps.find((candidate) => candidate.id === stepId);
    if (!step) throw new Error(`no template for ${sequenceId}/${stepId}`);
    const subject = step.template.subject({ ...props, clinic: this.clinic });

    const key = `${sequenceId}/${stepId}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = this.compile(step, props);
      this.compiled.set(key, compiled);
    }
    const template = await compiled;
    if (!template) return { subject, ...(await this.direct(step, props)) };
    return { subject, ...fill(template, props) };
  }

  private async direct(step: EmailStep, props: Props): Promise<Compiled> {
    const element = createElement(step.template, { ...props, clinic: this.clinic });
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    return { html, text };
  }

  private async compile(step: EmailStep, sample: Props): Promise<Compiled | undefined> {
    const [template, expected] = await Promise.all([this.direct(step, { firstName: NAME, unsubscribeUrl: URL_ }), this.direct(step, sample)]);
    const filled = fill(template, sample);
    return filled.html === expected.html && filled.text === expected.text ? template : undefined;
  }
}
