/**
 * A subject-line experiment's variant as an email of its own: the step's template with the variant's subject and
 * preview text in place of its own (what the variant leaves out stays the template's). The dispatcher's renderer,
 * `npm run check:emails` and the preview server all read variants through this, so what is checked is what is sent.
 */
import type { ArmId } from '../../lambdas/domain/experiments.ts';
import type { EmailProps, StepTemplate } from './types.ts';

/** Each variant's email made once: the preview file's, the checker's and the renderer's are the same object. */
const made = new WeakMap<StepTemplate<never>, Map<ArmId, StepTemplate<never>>>();

/** The template as variant `arm` of its experiment sends it; the template itself for `a` without changes, or none. */
export function experimentEmail<P extends EmailProps>(
  template: StepTemplate<P>,
  arm: ArmId | undefined,
): StepTemplate<P> {
  const variant = arm && template.experiment?.variants.find((candidate) => candidate.id === arm);
  if (!variant || (!variant.subject && !variant.preview)) return template;
  const byArm = made.get(template as never) ?? made.set(template as never, new Map()).get(template as never)!;
  const known = byArm.get(variant.id) as StepTemplate<P> | undefined;
  if (known) return known;
  const preview = variant.preview ?? template.preview;
  // The layout shows `previewText` in place of the preview the template passes it.
  const email = (props: P) => template({ ...props, previewText: preview(props) });
  const variantEmail = Object.assign(email, {
    subject: variant.subject ?? template.subject,
    preview,
    PreviewProps: template.PreviewProps,
    ...(template.Variants && { Variants: template.Variants }),
  });
  byArm.set(variant.id, variantEmail as never);
  return variantEmail;
}

/** The ids of a template's experiment variants that differ from the template (`b`, and `a` when it is not the control). */
export function experimentArms(template: StepTemplate): ArmId[] {
  return (template.experiment?.variants ?? []).filter((v) => v.subject || v.preview).map((v) => v.id);
}
