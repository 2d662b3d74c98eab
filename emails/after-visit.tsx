import { clinic } from './clinic.ts';
import { Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** The day after the appointment: how to feel after a session, when to call, and what comes next. */
function AfterVisit(props: EmailProps) {
  return (
    <Layout {...props} preview={AfterVisit.preview(props)} heading="How are you feeling today?">
      <P>Hi {props.firstName},</P>
      <P>Thank you for coming in to {props.clinic.name}. We hope the visit answered your questions.</P>
      <P><strong>If you had a treatment session.</strong> A floaty feeling, drowsiness, dizziness or mild nausea are common for a few hours and usually fade by the next day. Take it easy today. If something does not feel right, call us at {props.clinic.phone}; if you have chest pain, severe headache unlike your usual migraine, or trouble breathing, call 911.</P>
      <P><strong>What comes next.</strong> Keep noting your headache days and how bad they are: it is the clearest way for you and your clinician to see whether ketamine is helping. Results vary from person to person, and some people need several sessions before they can tell.</P>
      <P>Questions about your plan, costs or financing? Just reply to this email.</P>
    </Layout>
  );
}

AfterVisit.subject = (props: EmailProps) => `How are you feeling, ${props.firstName}?`;
AfterVisit.preview = (_props: EmailProps) => 'What is normal after a session, when to call us, and what comes next.';
AfterVisit.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  appointment: 'Tuesday, December 1 at 10:00 AM EST',
  clinic,
} satisfies EmailProps;

export default AfterVisit satisfies StepTemplate;
