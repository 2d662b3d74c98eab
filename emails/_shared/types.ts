import type { ReactElement } from 'react';
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
  clinic: Clinic;
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
}
