import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** The two routes, IV and intranasal, and what a session is like. */
function IvAndNasal(props: EmailProps) {
  return (
    <Layout {...props} preview={IvAndNasal.preview(props)} heading="IV or nasal spray: how ketamine is given">
      <P>Hi {props.firstName},</P>
      <P>Ketamine for migraine is given in one of two main ways, and your clinician will suggest one based on your pattern of attacks.</P>
      <P><strong>Intravenous (IV) infusion.</strong> A small needle in the arm delivers a low, steady dose over several hours, in a clinic. IV is most often used for long, unrelenting attacks such as status migrainosus, or when migraine has resisted many other treatments.</P>
      <P><strong>Intranasal spray.</strong> A spray acts quickly. It may be given in the clinic or, for some patients, prescribed for use at home as a rescue when an attack is building fast, to shorten it or take the edge off.</P>
      <P><strong>What a clinic session is like.</strong> You rest in a quiet, comfortable chair while staff check your blood pressure, heart rate and how you feel throughout. Many people feel a little floaty or detached during the infusion; this usually fades soon after it ends. After an IV session you will need someone to drive you home, and you should not drive for the rest of that day.</P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

IvAndNasal.subject = (_props: EmailProps) => 'IV or nasal spray? How ketamine is given for migraine';
IvAndNasal.preview = (_props: EmailProps) => 'The two routes, when each is used, and what a session actually feels like.';
IvAndNasal.PreviewProps = { firstName: 'Jordan', unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview', clinic } satisfies EmailProps;

export default IvAndNasal satisfies StepTemplate;
