import { clinic } from './clinic.ts';
import { BookButton, Item, Layout, List, P } from './_shared/layout.tsx';
import { Contraindications } from './_shared/blocks.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Who may be a candidate, and who should not have ketamine. */
function WhoItHelps(props: EmailProps) {
  return (
    <Layout {...props} preview={WhoItHelps.preview(props)} heading="Who ketamine may suit, and who should avoid it">
      <P>Hi {props.firstName},</P>
      <P>
        Ketamine is usually considered only after the standard options have not helped enough. A clinician may talk with
        you about it if you:
      </P>
      <List>
        <Item>have chronic migraine, meaning headache on 15 or more days a month for more than three months;</Item>
        <Item>
          have had status migrainosus, an attack lasting more than 72 hours that usual medicines did not stop;
        </Item>
        <Item>
          have tried several treatments, such as triptans, CGRP medicines, Botox or daily preventive medicines, without
          enough relief;
        </Item>
        <Item>become sensitive to touch, light or sound during attacks (sensitization).</Item>
      </List>
      <P>
        Meeting one of these does not mean ketamine will help you: results vary, and some people get little or no
        benefit.
      </P>
      <Contraindications />
      <P>
        Other conditions and medicines matter too. That is why a clinician reviews your full medical history, your
        medicines and your blood pressure before any treatment is offered. Sometimes the honest answer is that another
        approach fits you better, and we will tell you so.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

WhoItHelps.subject = (_props: EmailProps) => 'Who ketamine for migraine may suit, and who should avoid it';
WhoItHelps.preview = (_props: EmailProps) =>
  'Chronic migraine, long attacks, failed treatments, and the reasons to say no.';
WhoItHelps.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default WhoItHelps satisfies StepTemplate;
