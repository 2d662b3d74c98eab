import { clinic } from './clinic.ts';
import { ehf2020, pomeroy2017, say, yuan2023 } from './sources.ts';
import { BookButton, Cite, Item, Layout, List, P } from './_shared/layout.tsx';
import { Contraindications } from './_shared/blocks.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

const ehf = ehf2020.facts;
const iv = pomeroy2017.facts;
const spray = yuan2023.facts;

/**
 * The who-it-helps email for a lead whose migraine has not responded to treatment: what failed treatments mean for
 * eligibility, which records to bring, what the published evidence in hard-to-treat headache does and does not
 * show, and who should not have ketamine (the general email's contraindications).
 */
function WhoItHelpsRefractory(props: EmailProps) {
  return (
    <Layout
      {...props}
      preview={WhoItHelpsRefractory.preview(props)}
      heading="When treatments have not worked: what it means for ketamine"
    >
      <P>Hi {props.firstName},</P>
      <P>
        This email is for people whose migraine has not responded to treatment: what "failed treatments" means when a
        clinician weighs ketamine, which records to bring, and what the evidence can and cannot tell you.
      </P>
      <P>
        <strong>What failed treatments mean.</strong> The European Headache Federation has agreed definitions. Migraine
        is called resistant when at least three classes of preventive medicines have failed and there are still at least{' '}
        {say(ehf.debilitatingDays)} a month with debilitating headache, for at least {say(ehf.resistantMonths)} in a
        row. It is called refractory when all of the available preventives have failed, with that many such days for at
        least {say(ehf.refractoryMonths)} in a row <Cite source={ehf2020} />.
      </P>
      <P>
        A treatment counts as failed when it did not work or you could not tolerate it, and your doctors' records can
        show this. For acute medicines, the definition also asks that at least two different triptans have failed{' '}
        <Cite source={ehf2020} />.
      </P>
      <P>
        <strong>What this means for you.</strong> A history of failed treatments is one reason a clinician may discuss
        ketamine, which is off-label for migraine, but it does not make you a candidate by itself. Sometimes a medicine
        was stopped early, or taken at a low dose, and trying it properly, or trying a class you have not had, is the
        better next step. If so, we will tell you.
      </P>
      <P>
        <strong>What to bring to a consultation:</strong>
      </P>
      <List>
        <Item>
          every preventive treatment you have tried: its name, the highest dose, how long you took it, and why you
          stopped (it did not help, or the side effects);
        </Item>
        <Item>the acute medicines you use for attacks, and on how many days a month you take them;</Item>
        <Item>a headache diary of the last few months, if you keep one;</Item>
        <Item>letters or notes from your neurologist or headache specialist, and the reports of any brain scans;</Item>
        <Item>all the medicines you take now, and any past problems with alcohol or drugs.</Item>
      </List>
      <P>
        <strong>What the evidence shows, and does not.</strong> The main studies of ketamine in people whose headaches
        had not responded to other treatment looked back at records, or asked patients afterwards. In a hospital study
        of {say(iv.patients)} people given multi-day infusions, {say(iv.acuteResponders)} had improved by at least 2
        points out of 10 by discharge, but only {say(iv.sustainedResponders)} still had that benefit at their follow-up
        visit, and this lasting effect was not statistically significant <Cite source={pomeroy2017} />.
      </P>
      <P>
        In a study of {say(spray.interviewed)} people using a ketamine nasal spray at home, {say(spray.veryEffective)}{' '}
        called it "very effective", while {say(spray.adverseEvents)} reported at least one side effect. They were
        recalling their experience by telephone, and the authors caution that the spray can be overused{' '}
        <Cite source={yuan2023} />.
      </P>
      <P>
        Neither study had a placebo or comparison group, so they cannot show whether ketamine, rather than time or other
        treatment, made the difference, how long any benefit lasts, or whether it would help you. Results vary, and some
        people get no benefit.
      </P>
      <Contraindications />
      <P>
        A clinician reviews your full medical history, your medicines and your blood pressure before any treatment is
        offered. A consultation with us does not replace the doctor who treats your migraine.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

WhoItHelpsRefractory.subject = (_props: EmailProps) =>
  'When migraine treatments have failed: what it means for ketamine';
WhoItHelpsRefractory.preview = (_props: EmailProps) =>
  'Resistant and refractory migraine, the records to bring, and what the studies cannot show.';
WhoItHelpsRefractory.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default WhoItHelpsRefractory satisfies StepTemplate;
