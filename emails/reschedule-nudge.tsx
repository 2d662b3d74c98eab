import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** After a cancellation or a missed appointment: one gentle offer of another time. */
function RescheduleNudge(props: EmailProps) {
  return (
    <Layout {...props} preview={RescheduleNudge.preview(props)} heading="Let's find a time that works">
      <P>Hi {props.firstName},</P>
      <P>
        Your appointment {props.appointment ? `for ${props.appointment} ` : ''}did not go ahead. That happens, and with
        migraine it is often the migraine itself that gets in the way.
      </P>
      <P>
        Whenever you are ready, you can pick a new time below, or reply to this email and we will find one with you. If
        you have questions that are holding you back, about safety, side effects or cost, ask us: that is what the
        consultation is for.
      </P>
      <BookButton href={props.clinic.bookingUrl} label="Choose a new time" />
      <P>You can also call us at {props.clinic.phone}.</P>
    </Layout>
  );
}

RescheduleNudge.subject = (props: EmailProps) => `${props.firstName}, let's find a time that works for you`;
RescheduleNudge.preview = (_props: EmailProps) => 'Pick a new time whenever you are ready, or reply and we will help.';
RescheduleNudge.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  appointment: 'Tuesday, December 1 at 10:00 AM EST',
  clinic,
} satisfies EmailProps;

export default RescheduleNudge satisfies StepTemplate;
