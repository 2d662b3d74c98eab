import { clinic } from './clinic.ts';
import { BookButton, Item, Layout, List, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/**
 * Before the appointment: a short checklist. Usually sent the day before; a late booking gets it the same day, or
 * hours before the visit, so it says "today" or "tomorrow" only when that is true (`props.visitDay`).
 */
function Reminder(props: EmailProps) {
  const when = [props.visitDay, props.appointment].filter(Boolean).join(', ') || 'coming up soon';
  return (
    <Layout
      {...props}
      preview={Reminder.preview(props)}
      heading={props.visitDay ? `See you ${props.visitDay}` : 'See you soon'}
    >
      <P>Hi {props.firstName},</P>
      <P>
        A quick reminder: your appointment at {props.clinic.name} is <strong>{when}</strong>.
      </P>
      <List>
        <Item>Arrive 15 minutes early for a short health form.</Item>
        <Item>Bring your medicine list, your headache diary if you keep one, photo ID and any insurance card.</Item>
        <Item>
          If you are having an IV session, make sure someone can drive you home, and plan not to drive for the rest of
          the day.
        </Item>
      </List>
      <P>
        If a migraine flares before your visit, call us at {props.clinic.phone}: we would rather hear from you than have
        you push through alone.
      </P>
      <P>Running late or need another time? Reply to this email or call us, and we will sort it out.</P>
      <BookButton href={props.clinic.bookingUrl} label="Manage your appointment" />
    </Layout>
  );
}

Reminder.subject = (props: EmailProps) =>
  `Reminder: your appointment ${props.visitDay ?? 'is coming up'}, ${props.firstName}`;
Reminder.preview = (_props: EmailProps) => 'When to arrive, what to bring, and getting home after an IV session.';
Reminder.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  messageClass: 'care',
  appointment: 'Tuesday, December 1 at 10:00 AM EST',
  visitDay: 'tomorrow',
  clinic,
} satisfies EmailProps;
Reminder.Variants = { 'same day': { visitDay: 'today' }, 'days ahead': { visitDay: undefined } } satisfies Record<
  string,
  Partial<EmailProps>
>;

export default Reminder satisfies StepTemplate;
