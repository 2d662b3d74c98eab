import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/**
 * Double opt-in: the one email a new sign-up gets until it confirms its address. Plain and short; nothing about
 * treatment, since whoever typed the address may not be its owner.
 */
function ConfirmAddress(props: EmailProps) {
  return (
    <Layout
      {...props}
      preview={ConfirmAddress.preview(props)}
      heading="Please confirm your email address"
      careReason="You are getting this because this address was entered in our sign-up form."
    >
      <P>Hi {props.firstName},</P>
      <P>
        Thank you for signing up with {props.clinic.name}. Before we send you anything else, please confirm that this
        email address is yours.
      </P>
      <BookButton href={props.confirmUrl ?? props.clinic.website} label="Confirm my email address" />
      <P>The link works for 7 days.</P>
      <P>
        Did not sign up? Then ignore this email: we will not email you again, and we delete this address from our list
        after 7 days.
      </P>
      <P>Questions? Reply to this email or call us at {props.clinic.phone}.</P>
    </Layout>
  );
}

ConfirmAddress.subject = (props: EmailProps) => `Please confirm your email address, ${props.firstName}`;
ConfirmAddress.preview = (_props: EmailProps) => 'One click, and we will send the emails you asked for.';
ConfirmAddress.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  confirmUrl: 'https://clinic.example/confirm?token=preview',
  messageClass: 'care',
  clinic,
} satisfies EmailProps;

export default ConfirmAddress satisfies StepTemplate;
