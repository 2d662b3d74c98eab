import { clinic } from './clinic.ts';
import { pomeroy2017, say, yuan2023 } from './sources.ts';
import { BookButton, Cite, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** The two routes, IV and intranasal, what a session is like, and the rules for a spray at home. */
function IvAndNasal(props: EmailProps) {
  return (
    <Layout {...props} preview={IvAndNasal.preview(props)} heading="IV or nasal spray: how ketamine is given">
      <P>Hi {props.firstName},</P>
      <P>
        Ketamine for migraine is given in one of two main ways. If you are a candidate, your clinician will suggest one
        based on your pattern of attacks, your health and what you have tried.
      </P>
      <P>
        <strong>Intravenous (IV) infusion.</strong> A small needle in the arm delivers a low, steady dose over a set
        period, usually an hour or more, here in the clinic. IV is mostly used for long, unrelenting attacks such as
        status migrainosus, or when migraine has resisted many other treatments. Much of the published research used a
        different setting: patients stayed in the hospital for several days of continuous infusion,{' '}
        {say(pomeroy2017.facts.infusionDays)} on average in one study <Cite source={pomeroy2017} />. An outpatient
        session is shorter, and may not work the same way.
      </P>
      <P>
        <strong>Nasal spray.</strong> Ketamine can also be sprayed into the nose, in the clinic or, for some patients,
        prescribed for use at home as a rescue treatment during an attack. How quickly it helps, and whether it helps at
        all, varies from person to person. The researchers who studied the spray warn that it can be overused, and
        advise keeping it for people who clearly need a better rescue treatment, with safeguards in place{' '}
        <Cite source={yuan2023} />.
      </P>
      <P>
        <strong>What a clinic session is like.</strong> You rest in a quiet, comfortable chair while staff check your
        blood pressure, heart rate and how you feel throughout. Many people feel detached or "floaty" during the
        infusion; this usually fades within a few hours after it ends. After an IV session you will need someone to
        drive you home, and you should not drive for the rest of that day.
      </P>
      <P>
        <strong>A spray at home comes with rules.</strong> No driving and no alcohol after a dose, keep it locked away,
        and never go over the limits your prescriber sets. We will go through these with you before any prescription.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

IvAndNasal.subject = (_props: EmailProps) => 'IV or nasal spray? How ketamine is given for migraine';
IvAndNasal.preview = (_props: EmailProps) =>
  'The two routes, when each is used, and what a session actually feels like.';
IvAndNasal.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default IvAndNasal satisfies StepTemplate;
