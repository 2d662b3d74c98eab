import { createElement } from 'react';
import { render } from 'react-email';
import type { Clinic } from '../../emails/clinic.ts';
import { experimentEmail } from '../../emails/_shared/experiment.ts';
import type { EmailStep } from '../../emails/sequences.ts';
import type { ArmId } from '../domain/experiments.ts';
import type { Sequence } from '../domain/sequence.ts';
import type { RenderedEmail, Renderer, RenderProps } from '../domain/ports.ts';

// Stand-ins rendered into a step once; each send swaps in the lead's own values.
const STAND_INS: RenderProps = {
  firstName: 'Nurtureplaceholdername',
  unsubscribeUrl: 'https://placeholder.invalid/unsubscribe',
  appointment: 'Nurtureplaceholderappointment',
  confirmUrl: 'https://placeholder.invalid/confirm',
};
const FIELDS = ['firstName', 'unsubscribeUrl', 'appointment', 'confirmUrl'] as const;
// Props that choose between versions of an email (the after-visit note thanks the lead for coming only when the
// visit was reported attended): rendered as given, and each value gets its own cached render.
const VERSIONS = ['visitDay', 'attended'] as const;

// react-email's <Preview> pads its text with invisible characters up to 200, so the padding's length depends on the
// text: a preview holding the first name or the appointment needs its padding re-cut per lead. A change in
// react-email's padding shows in the first send's check below (and in test/unit/adapters/renderer.test.ts), never in an email.
const PREVIEW_LENGTH = 200;
const PREVIEW_PAD = '\u00a0\u200c\u200b\u200d\ufeff';
const PADDING_STAND_IN = 'Nurtureplaceholderpadding';
const previewPadding = (preview: string) =>
  preview.length >= PREVIEW_LENGTH ? '' : `<div>${PREVIEW_PAD.repeat(PREVIEW_LENGTH - preview.length)}</div>`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]!);
// The plain-text part comes from html-to-text, which collapses runs of whitespace and upper-cases headings.
const asText = (text: string) => text.replace(/[ \t\r\n\f\u200b]+/g, ' ');

interface Compiled {
  html: string;
  text: string;
}

/**
 * Renders a step's react-email template to subject, HTML and a plain-text part.
 * A React render costs milliseconds, so each step is rendered once (per version: see VERSIONS) with stand-ins for the
 * first name, the unsubscribe link and the appointment, and each send fills them in. The first send of a step checks that this gives exactly what a
 * direct render gives; a template that transforms those values is simply rendered every time.
 */
export class ReactEmailRenderer implements Renderer {
  private readonly compiled = new Map<string, Promise<Compiled | undefined>>();

  constructor(
    private readonly sequences: Readonly<Record<string, Sequence<EmailStep>>>,
    private readonly clinic: Clinic,
  ) {}

  async render(
    sequenceId: string,
    stepId: string,
    props: RenderProps,
    variant?: string,
    arm?: string,
  ): Promise<RenderedEmail> {
    const found = this.sequences[sequenceId]?.steps.find((candidate) => candidate.id === stepId);
    // An interest email has no experiment: it goes with its own subject, whatever the lead's experiment variant.
    const template =
      variant === undefined
        ? found && experimentEmail(found.template, arm as ArmId | undefined)
        : found?.variants?.[variant];
    // Never the variant's id in the error: the dispatcher logs only an error's name, but a caller might log more.
    if (!found || !template)
      throw new Error(`no template for ${sequenceId}/${stepId}${variant ? ' (its variant)' : ''}`);
    // A variant is its step with another email: the same class (the footer), another template.
    const step: EmailStep = { ...found, template };
    const subject = template.subject({ ...props, clinic: this.clinic });
    const preview = template.preview({ ...props, clinic: this.clinic });

    // Keyed by the variant, by which optional fields are given, and by the value of each prop that chooses a version:
    // a step rendered with an appointment differs from one without, and the note after an attended visit from the other.
    const given = FIELDS.filter((field) => props[field] !== undefined).join(',');
    const key = `${sequenceId}/${stepId}/${variant ?? ''}/${variant === undefined ? (arm ?? '') : ''}/${given}/${VERSIONS.map((prop) => `${prop}=${props[prop]}`).join(',')}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      compiled = this.compile(step, props);
      this.compiled.set(key, compiled);
    }
    const filled = await compiled;
    // Past 200 characters react-email cuts the preview text short, which a fill-in cannot follow.
    if (!filled || preview.length > PREVIEW_LENGTH) return { subject, ...(await this.direct(step, props)) };
    return { subject, ...fill(filled, props, preview) };
  }

  private async direct(step: EmailStep, props: RenderProps): Promise<Compiled> {
    // The step's class chooses the footer's link (marketing: unsubscribe; care: stop all emails).
    const element = createElement(step.template, { ...props, clinic: this.clinic, messageClass: step.class });
    const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
    return { html, text };
  }

  /** `step`: with the template to render (the step's own, or its variant's). */
  private async compile(step: EmailStep, sample: RenderProps): Promise<Compiled | undefined> {
    // Render the stand-ins for exactly the fields the sample has, so optional ones (the appointment) stay optional,
    // and the sample's own version.
    const versions = Object.fromEntries(
      VERSIONS.filter((prop) => sample[prop] !== undefined).map((prop) => [prop, sample[prop]]),
    );
    const standIns: RenderProps = {
      firstName: STAND_INS.firstName,
      unsubscribeUrl: STAND_INS.unsubscribeUrl,
      ...(sample.appointment !== undefined && { appointment: STAND_INS.appointment }),
      ...(sample.confirmUrl !== undefined && { confirmUrl: STAND_INS.confirmUrl }),
      ...versions,
    };
    const [rendered, expected] = await Promise.all([this.direct(step, standIns), this.direct(step, sample)]);
    const standInPreview = step.template.preview({ ...standIns, clinic: this.clinic });
    const shown = escapeHtml(standInPreview);
    const template = {
      ...rendered,
      html: rendered.html.replace(shown + previewPadding(standInPreview), shown + PADDING_STAND_IN),
    };
    const filled = fill(template, sample, step.template.preview({ ...sample, clinic: this.clinic }));
    return filled.html === expected.html && filled.text === expected.text ? template : undefined;
  }
}

/** A step rendered with the stand-ins, with one lead's values (and its preview text's padding) put in their place. */
function fill(template: Compiled, props: RenderProps, preview: string): Compiled {
  let html = template.html.replace(PADDING_STAND_IN, previewPadding(preview));
  let { text } = template;
  for (const field of FIELDS) {
    const value = props[field];
    if (value === undefined) continue;
    const standIn = STAND_INS[field]!;
    html = html.replaceAll(standIn, escapeHtml(value));
    text = text.replaceAll(standIn.toUpperCase(), asText(value).toUpperCase()).replaceAll(standIn, asText(value));
  }
  return { html, text };
}
