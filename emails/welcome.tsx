import { clinic } from './clinic.ts';
import { A, BookButton, Item, Layout, List, named, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Sent the moment someone signs up: thanks, what the series covers, and how to reach a person. */
function Welcome(props: EmailProps) {
  return (
    <Layout {...props} preview={Welcome.preview(props)} heading={`Welcome, ${props.firstName}`}>
      <P>
        Thank you for contacting {props.clinic.name}. Frequent or stubborn migraine wears people down, and looking into
        a new option takes energy. We are glad you reached out.
      </P>
      <P>
        Over the next few weeks we will send you a few short emails. Each one answers a question people often ask about
        ketamine for migraine:
      </P>
      <List>
        <Item>how ketamine is thought to act on migraine;</Item>
        <Item>who may be a candidate, and who should not have it;</Item>
        <Item>its side effects and risks, and how we watch for them;</Item>
        <Item>how it is given: by IV infusion or as a nasal spray;</Item>
        <Item>what the studies found, and what they could not show;</Item>
        <Item>
          <A href={named(props.clinic.costUrl, 'cost')}>cost, insurance and ways to pay</A>.
        </Item>
      </List>
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
