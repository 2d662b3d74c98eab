import type { ReactElement } from 'react';
import type { ArmId, StepExperiment } from '../../lambdas/domain/experiments.ts';
import type { MessageClass } from '../../lambdas/domain/sequence.ts';
import type { Clinic } from '../clinic.ts';

/** What every nurture email is rendered with. Ids and a first name only: no health data reaches a template. */
export interface EmailProps {
  firstName: string;
  /** https URL with a signed token; the layout shows it as a visible link. */
  unsubscribeUrl: string;
  /**
   * The step's class (`emails/outline.ts`), which the sender passes in: it chooses the footer's link. A care
   * template's `PreviewProps` say 'care', so previews and `npm run check:emails` show the footer it goes out with.
   */
  messageClass?: MessageClass;
  /** After a booking: the appointment in the lead's zone, e.g. "Tuesday, December 1 at 10:00 AM EST". */
  appointment?: string;
  /** The visit is on the day this email goes out ('today') or the next ('tomorrow'), in the lead's zone; absent otherwise. */
  visitDay?: 'today' | 'tomorrow';
  /** The clinic's scheduling system reported the visit as attended. Absent or false: we do not know the lead came. */
  attended?: boolean;
  /** Double opt-in's confirmation email: the signed link that confirms the address. */
  confirmUrl?: string;
  /**
   * A subject-line experiment's variant that changes the preview text: the layout shows this in place of the
   * template's own (`experimentEmail` in emails/_shared/experiment.ts sets it; a template never does).
   */
  previewText?: string;
  clinic: Clinic;
}

/**
 * A subject-line experiment on a marketing step's own email (`lambdas/domain/experiments.ts`): two to four variants,
 * `a`..`d`, each with a weight (its share of leads) and its own `subject` and/or `preview`; what a variant leaves out
 * is the template's own. Variant `a` is the control: usually the template's own subject and preview, so give it
 * neither. Every variant goes through `npm run check:emails` and the medical director's review like any email.
 */
export interface TemplateExperiment<P extends EmailProps = EmailProps> extends StepExperiment {
  readonly variants: readonly {
    readonly id: ArmId;
    readonly weight: number;
    readonly subject?: (props: P) => string;
    readonly preview?: (props: P) => string;
  }[];
}

/**
 * A template module's default export: the component plus its subject and preview text.
 * `PreviewProps` is what the preview server and the tests render it with. A template that reads differently
 * depending on a prop (`attended`, `visitDay`) names its other versions in `Variants`, each as the props that differ
 * from `PreviewProps`: the content checks hold every version to the rules.
 */
export interface StepTemplate<P extends EmailProps = EmailProps> {
  (props: P): ReactElement;
  subject: (props: P) => string;
  preview: (props: P) => string;
  PreviewProps: P;
  Variants?: Record<string, Partial<P>>;
  /** A subject-line experiment (`TemplateExperiment`): only on a marketing step's own email. */
  experiment?: TemplateExperiment<P>;
}
