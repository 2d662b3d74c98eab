import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Side effects and how they are monitored. */
function SideEffects(props: EmailProps) {
  return (
    <Layout {...props} preview={SideEffects.preview(props)} heading="Side effects, and how we watch for them">
      <P>Hi {props.firstName},</P>
      <P>Every treatment has side effects, and ketamine is no exception. At the low doses used for migraine, the common ones are usually short-lived:</P>
      <P>· a dreamy, floating or detached feeling during treatment;<br />· drowsiness or dizziness;<br />· nausea, which can be treated with medicine;<br />· a modest rise in blood pressure or heart rate.</P>
      <P>Most of these settle within an hour or two of a session ending. Serious reactions are uncommon, but they do happen, which is why ketamine should only be given under medical supervision.</P>
      <P><strong>How you are monitored.</strong> Before treatment, a clinician reviews your health, medicines and blood pressure. During a session, staff check your vital signs and how you feel, and can slow or stop the dose. Afterwards you rest until you are steady, and you go home with someone else driving.</P>
      <P>Ketamine is generally not given to people with uncontrolled high blood pressure, an untreated aneurysm, active psychosis, or during pregnancy.</P>
      <BookButton href={props.clinic.bookingUrl} label="Talk it through with a clinician" />
    </Layout>
  );
}

SideEffects.subject = (_props: EmailProps) => 'Ketamine side effects, and how they are monitored';
SideEffects.preview = (_props: EmailProps) => 'What people commonly feel, how long it lasts, and who keeps watch.';
SideEffects.PreviewProps = { firstName: 'Jordan', unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview', clinic } satisfies EmailProps;

export default SideEffects satisfies StepTemplate;
