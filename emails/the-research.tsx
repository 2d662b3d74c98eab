import { clinic } from './clinic.ts';
import { afridi2013, pomeroy2017, say, yuan2023 } from './sources.ts';
import { BookButton, Cite, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

const iv = pomeroy2017.facts;
const spray = yuan2023.facts;
const aura = afridi2013.facts;

/** What the studies found, with their numbers, their designs and their limits. Every number comes from emails/sources.ts. */
function TheResearch(props: EmailProps) {
  return (
    <Layout
      {...props}
      preview={TheResearch.preview(props)}
      heading="What the research says, and what it cannot say yet"
    >
      <P>Hi {props.firstName},</P>
      <P>
        Using ketamine for migraine is off-label: the FDA has not approved it for this use. The evidence is still early.
        None of the studies below compared ketamine with a placebo in a large group of people, so here are the main
        findings together with their limits.
      </P>
      <P>
        <strong>IV infusions in the hospital, {say(iv.patients)} patients.</strong> A {pomeroy2017.year} review looked
        back at the records of {say(iv.patients)} people with chronic migraine or new daily persistent headache who had
        not improved with aggressive treatment. They stayed in the hospital for multi-day infusions,{' '}
        {say(iv.infusionDays)} on average, which is not the same as an outpatient session. Average pain fell from{' '}
        {say(iv.painAdmission)} out of 10 on admission to {say(iv.painDischarge)} at discharge, and by discharge{' '}
        {say(iv.acuteResponders)} of the {say(iv.patients)} had improved by at least 2 points. At their follow-up visit,
        only {say(iv.sustainedResponders)} of the {say(iv.patients)} still had that benefit, and this lasting effect was
        not statistically significant. There was no comparison group <Cite source={pomeroy2017} />.
      </P>
      <P>
        <strong>Nasal spray at home, {say(spray.interviewed)} people.</strong> A {yuan2023.year} study at a single
        headache center interviewed {say(spray.interviewed)} people with hard-to-treat chronic migraine by telephone
        about their use of a ketamine nasal spray. Of them, {say(spray.veryEffective)} called it "very effective", and{' '}
        {say(spray.qualityOfLife)} said their quality of life was "much better", while {say(spray.adverseEvents)}{' '}
        reported at least one side effect. People were recalling their experience after the fact, without a placebo, and
        the authors caution that the spray can be overused <Cite source={yuan2023} />.
      </P>
      <P>
        <strong>Aura, a small randomized trial.</strong> In a {afridi2013.year} trial, {say(aura.randomized)} people
        with prolonged migraine aura were randomly given a ketamine or a midazolam nasal spray, and{' '}
        {say(aura.completed)} completed it. Ketamine made the aura less severe, but not shorter{' '}
        <Cite source={afridi2013} />.
      </P>
      <P>
        Larger, placebo-controlled trials are still needed. Results vary from person to person, and some people do not
        benefit at all. A consultation is the place to weigh this evidence against your own history.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

TheResearch.subject = (_props: EmailProps) => 'Ketamine for migraine: what the studies found, and their limits';
TheResearch.preview = (_props: EmailProps) => 'Three studies, their numbers, and why the evidence is still early.';
TheResearch.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default TheResearch satisfies StepTemplate;
