import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Sent the moment someone signs up: thanks, and what happens next. */
function Welcome(props: EmailProps) {
  return (
    <Layout {...props} preview={Welcome.preview(props)} heading={`Welcome, ${props.firstName}`}>
      <P>Thank you for reaching out to {props.clinic.name}. Living with frequent or stubborn migraine is exhausting, and asking about a new option takes effort. We are glad you did.</P>
      <P>Here is what happens next. Over the coming few weeks we will send you a handful of short emails, each on one question people usually ask about ketamine for migraine:</P>
      <P>how it is thought to work · who may be a good fit, and who should not have it · how it is given · what the studies found, and what they could not show · side effects and how they are watched for · cost, insurance and financing.</P>
      <P>You do not need to wait for the series to end. If you already want to talk it through, a free consultation is the easiest place to start: we will go over your history and treatments so far, and tell you honestly whether we think ketamine makes sense for you.</P>
      <BookButton href={props.clinic.bookingUrl} />
      <P>Questions in the meantime? Just reply to this email or call us at {props.clinic.phone}.</P>
    </Layout>
  );
}

Welcome.subject = (props: EmailProps) => `Welcome, ${props.firstName}: here is what happens next`;
Welcome.preview = (_props: EmailProps) => 'A short series on ketamine for migraine, and how to reach us any time.';
Welcome.PreviewProps = { firstName: 'Jordan', unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview', clinic } satisfies EmailProps;

export default Welcome satisfies StepTemplate;
