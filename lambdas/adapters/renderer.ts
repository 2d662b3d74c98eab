import { createElement } from 'react';
import { render } from 'react-email';
import type { Clinic } from '../../emails/clinic.ts';
import type { EmailStep } from '../../emails/sequences.ts';
import type { Sequence } from '../domain/sequence.ts';
import type { RenderedEmail, Renderer } from '../domain/ports.ts';

/** Renders a step's react-email template to subject, HTML and a plain-text part. */
export class ReactEmailRenderer implements Renderer {
  constructor(
    private readonly sequences: Readonly<Record<string, Sequence<EmailStep>>>,
    private readonly clinic: Clinic,
  ) {}

  async render(sequenceId: string, stepId: string, props: { firstName: string; unsubscribeUrl: string }): Promise<RenderedEmail> {
    const step = this.sequences[sequenceId]?.steps.find((candidate) => candidate.id === stepId);
    if (!step) throw new Error(`no template for ${sequenceId}/${stepId}`);
    const templateProps = { ...props, clinic: this.clinic };
    const element = createElement(step.template, templateProps);
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    return { subject: step.template.subject(templateProps), html, text };
  }
}
