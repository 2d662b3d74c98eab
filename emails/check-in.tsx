import { clinic } from './clinic.ts';
import { BookButton, Layout, named, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/**
 * The check-in ("still useful?"), sent only to a lead whose last few emails got no click (`checkIn` in
 * emails/outline.ts). A click on it keeps the series going; without one, the series ends here.
 */
function CheckIn(props: EmailProps) {
  return (
    <Layout {...props} preview={CheckIn.preview(props)} heading="Are these emails still useful?">
      <P>Hi {props.firstName},</P>
      <P>
        We have sent you a few emails about ketamine for migraine, and we would rather send nothing than send what you
        do not need. So we are checking in.
      </P>
      <P>
        If you would like the rest of the series, on how ketamine is given, what the studies found and what it costs,
        tap the button below.
      </P>
      <BookButton href={named(props.clinic.website, 'keep')} label="Keep them coming" />
      <P>
        If we do not hear from you, this is the last email of the series. You can still reply or call us at{' '}
        {props.clinic.phone} whenever you like.
      </P>
    </Layout>
  );
}

CheckIn.subject = (_props: EmailProps) => 'Are these emails still useful to you?';
CheckIn.preview = (_props: EmailProps) => 'One tap keeps the series coming. Otherwise this is our last email.';
CheckIn.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default CheckIn satisfies StepTemplate;
