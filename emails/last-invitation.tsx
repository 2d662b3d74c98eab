import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** The last email of the series: an open invitation, no pressure. */
function LastInvitation(props: EmailProps) {
  return (
    <Layout {...props} preview={LastInvitation.preview(props)} heading="An open invitation">
      <P>Hi {props.firstName},</P>
      <P>
        This is the last email in the series. Over the past few weeks we have covered how ketamine may act on migraine,
        who it may suit and who should avoid it, its side effects and risks, how it is given, what the research shows
        and where it falls short, and what it costs.
      </P>
      <P>
        If you are still weighing it up, a free consultation is a no-obligation conversation with a clinician. We will
        look at your migraine history and the treatments you have tried, answer your questions, and tell you honestly
        whether we think ketamine is worth trying, or whether something else makes more sense. Ketamine is off-label for
        migraine and not right for everyone, and results vary.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
      <P>
        And if now is not the right time, that is fine too. You can always reply to this email or call{' '}
        {props.clinic.phone} when you are ready.
      </P>
      <P>
        Wishing you more good days,
        <br />
        The team at {props.clinic.name}
      </P>
    </Layout>
  );
}

LastInvitation.subject = (props: EmailProps) => `${props.firstName}, an open invitation to talk it through`;
LastInvitation.preview = (_props: EmailProps) => 'A free, no-obligation consultation whenever you are ready.';
LastInvitation.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default LastInvitation satisfies StepTemplate;
