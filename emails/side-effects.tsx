import { clinic } from './clinic.ts';
import { ketamineLabel, say, yuan2023 } from './sources.ts';
import { BookButton, Cite, Item, Layout, List, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Side effects and risks, short and long term, and how they are watched for. Sent before the research and the cost. */
function SideEffects(props: EmailProps) {
  return (
    <Layout {...props} preview={SideEffects.preview(props)} heading="Side effects and risks, and how we watch for them">
      <P>Hi {props.firstName},</P>
      <P>
        Every treatment has side effects, and ketamine has several. Before you decide anything, here are the ones you
        should know about.
      </P>
      <P>
        <strong>During and after a dose.</strong> These are common, and usually fade within hours:
      </P>
      <List>
        <Item>feeling detached, dreamy or "floaty", or that things around you seem unreal;</Item>
        <Item>drowsiness, dizziness or tiredness;</Item>
        <Item>nausea or vomiting;</Item>
        <Item>blurred or double vision;</Item>
        <Item>vivid dreams, or hallucinations;</Item>
        <Item>a rise in blood pressure and heart rate.</Item>
      </List>
      <P>
        In a study of people using ketamine nasal spray for hard-to-treat migraine, {say(yuan2023.facts.adverseEvents)}{' '}
        reported at least one side effect <Cite source={yuan2023} />. Ketamine's prescribing information also lists
        double vision, hallucinations and dream-like states among its effects <Cite source={ketamineLabel} />.
      </P>
      <P>
        <strong>Risks with frequent or long-term use.</strong> Ketamine is a Schedule III controlled substance. It can
        be misused, and people who use it often can become dependent on it. Frequent or long-term use has also been
        linked to bladder damage and to liver injury <Cite source={ketamineLabel} />. This is why doses are limited and
        why we follow up on how often you use it.
      </P>
      <P>
        <strong>How you are monitored.</strong> Before treatment, a clinician reviews your health, medicines and blood
        pressure. During a clinic session, staff check your blood pressure, heart rate and how you feel, and can slow or
        stop the dose. Afterward you rest until you are steady, and someone else drives you home.
      </P>
      <P>
        <strong>If you are prescribed a nasal spray for home:</strong>
      </P>
      <List>
        <Item>do not drive, and do not drink alcohol, after a dose;</Item>
        <Item>never take more than your prescriber's limits per dose, per day and per week;</Item>
        <Item>keep it locked away, out of reach of children and anyone else;</Item>
        <Item>tell us if you find yourself needing it more often.</Item>
      </List>
      <P>
        If something does not feel right after a dose, call us at {props.clinic.phone}. For chest pain, trouble
        breathing or a severe headache unlike your usual migraine, call 911.
      </P>
      <BookButton href={props.clinic.bookingUrl} label="Talk it through with a clinician" />
    </Layout>
  );
}

SideEffects.subject = (_props: EmailProps) => 'Ketamine side effects and risks, and how they are monitored';
SideEffects.preview = (_props: EmailProps) =>
  'What people commonly feel, the risks of frequent use, and who keeps watch.';
SideEffects.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default SideEffects satisfies StepTemplate;
