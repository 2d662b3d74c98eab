import { clinic } from './clinic.ts';
import { Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/**
 * The day after the appointment: how to feel after a session, when to call, and what comes next.
 * It thanks the lead for coming only when the clinic's scheduling system reported the visit as attended
 * (`props.attended`); otherwise we do not know they came, so it hopes the visit went well and offers another time.
 */
function AfterVisit(props: EmailProps) {
  return (
    <Layout
      {...props}
      preview={AfterVisit.preview(props)}
      heading={props.attended ? 'How are you feeling today?' : 'We hope your visit went well'}
    >
      <P>Hi {props.firstName},</P>
      {props.attended ? (
        <P>Thank you for coming in to {props.clinic.name}. We hope the visit answered your questions.</P>
      ) : (
        <P>
          We hope your visit to {props.clinic.name} went well and answered your questions. If you could not make it,
          reply to this email or call us at {props.clinic.phone}, and we will find another time.
        </P>
      )}
      <P>
        <strong>If you had a treatment session.</strong> A floaty feeling, drowsiness, dizziness, blurred vision or mild
        nausea are common for a few hours and usually fade by the next day. Take it easy today, and if anything still
        feels off, do not drive until it has passed. If something does not feel right, call us at {props.clinic.phone};
        if you have chest pain, severe headache unlike your usual migraine, or trouble breathing, call 911.
      </P>
      <P>
        <strong>What comes next.</strong> Keep noting your headache days and how bad they are: it is the clearest way
        for you and your clinician to see whether ketamine is helping. Results vary from person to person, and some
        people need several sessions before they can tell.
      </P>
      <P>Questions about your plan, costs or financing? Just reply to this email.</P>
    </Layout>
  );
}

AfterVisit.subject = (props: EmailProps) =>
  props.attended ? `How are you feeling, ${props.firstName}?` : `How did your visit go, ${props.firstName}?`;
AfterVisit.preview = (props: EmailProps) =>
  props.attended
    ? 'What is normal after a session, when to call us, and what comes next.'
    : 'What is normal after a session, when to call us, and what to do if you could not make it.';
AfterVisit.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  messageClass: 'care',
  appointment: 'Tuesday, December 1 at 10:00 AM EST',
  attended: false,
  clinic,
} satisfies EmailProps;
AfterVisit.Variants = { attended: { attended: true } } satisfies Record<string, Partial<EmailProps>>;

export default AfterVisit satisfies StepTemplate;
