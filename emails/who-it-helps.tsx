import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Who may benefit, and who should not have ketamine. */
function WhoItHelps(props: EmailProps) {
  return (
    <Layout {...props} preview={WhoItHelps.preview(props)} heading="Who ketamine may suit, and who it does not">
      <P>Hi {props.firstName},</P>
      <P>Ketamine is usually considered when the common options have not been enough. People who may be candidates include those who:</P>
      <P>· have chronic migraine, meaning headache on 15 or more days a month;<br />· have status migrainosus, an attack lasting more than 72 hours that usual medicines have not stopped;<br />· have tried several treatments, such as triptans, CGRP medicines, Botox or daily preventives, without enough relief;<br />· have central sensitisation, where touch or sound becomes painful during attacks.</P>
      <P><strong>Ketamine is not safe for everyone.</strong> It is generally not an option for people with high blood pressure that is not under control, an untreated aneurysm, active psychosis, or during pregnancy. Other conditions and medicines matter too.</P>
      <P>That is why every person is assessed by a clinician first, with a full medical history, before any treatment is offered. Sometimes the honest answer is that another approach fits better, and we will tell you so.</P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

WhoItHelps.subject = (_props: EmailProps) => 'Who ketamine for migraine may suit, and who should avoid it';
WhoItHelps.preview = (_props: EmailProps) => 'Chronic migraine, long attacks, failed treatments, and the reasons to say no.';
WhoItHelps.PreviewProps = { firstName: 'Jordan', unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview', clinic } satisfies EmailProps;

export default WhoItHelps satisfies StepTemplate;
