import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import { SeriesTopics } from './_shared/blocks.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Sent the moment someone signs up: thanks, what the series covers, and how to reach a person. */
function Welcome(props: EmailProps) {
  return (
    <Layout {...props} preview={Welcome.preview(props)} heading={`Welcome, ${props.firstName}`}>
      <P>
        Thank you for contacting {props.clinic.name}. Frequent or stubborn migraine wears people down, and looking into
        a new option takes energy. We are glad you reached out.
      </P>
      <SeriesTopics clinic={props.clinic} />
      <P>
        Ketamine is not right for everyone, and using it for migraine is off-label. A consultation with one of our
        clinicians is the place to find out whether it makes sense for you, or whether another approach fits better. You
        do not have to wait for the series to end to book one.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
      <P>Questions in the meantime? Reply to this email or call us at {props.clinic.phone}.</P>
    </Layout>
  );
}

Welcome.subject = (props: EmailProps) => `Welcome, ${props.firstName}: here is what happens next`;
Welcome.preview = (_props: EmailProps) => 'A short series on ketamine for migraine, and how to reach us any time.';
Welcome.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default Welcome satisfies StepTemplate;
