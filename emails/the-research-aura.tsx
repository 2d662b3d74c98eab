import { clinic } from './clinic.ts';
import { afridi2013, pomeroy2017, say, snnoop10, yuan2023 } from './sources.ts';
import { BookButton, Cite, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

const aura = afridi2013.facts;
const iv = pomeroy2017.facts;
const spray = yuan2023.facts;

/**
 * The research email for a lead who named migraine with aura: the randomized trial of intranasal ketamine in
 * prolonged aura, its numbers, its comparator and its limits; then, briefly, the other two studies the general
 * research email (the-research.tsx) gives, with theirs. Every number comes from emails/sources.ts.
 */
function TheResearchAura(props: EmailProps) {
  return (
    <Layout
      {...props}
      preview={TheResearchAura.preview(props)}
      heading="Ketamine and migraine aura: what one trial found"
    >
      <P>Hi {props.firstName},</P>
      <P>
        Using ketamine for migraine is off-label: the FDA has not approved it for this use. For aura, the main evidence
        is one small randomized trial. Here is what it found, and what it could not show.
      </P>
      <P>
        <strong>The trial.</strong> In a {afridi2013.year} double-blind trial, {say(aura.randomized)} people who have
        migraine with prolonged aura were randomly given one of two nasal sprays to use during their attacks: ketamine
        25 mg, or midazolam 2 mg, a sedative used for comparison instead of a placebo. Only {say(aura.completed)}{' '}
        completed it <Cite source={afridi2013} />.
      </P>
      <P>
        <strong>What it found.</strong> With ketamine, the aura was less severe, but it did not get shorter. Midazolam
        changed neither <Cite source={afridi2013} />.
      </P>
      <P>
        <strong>What it cannot show.</strong> It was small, and many people did not finish it. It measured the aura, not
        the headache that follows, and not how often attacks come. Its authors rate it as class III evidence, on a scale
        where class I is the strongest. Larger trials would be needed to know whether ketamine helps people with aura in
        general <Cite source={afridi2013} />.
      </P>
      <P>
        <strong>An aura that is not your usual one needs a doctor first.</strong> Weakness, numbness, trouble speaking
        or loss of vision that is new to you, or unlike your usual aura, can have other causes. If it comes on suddenly,
        call 911 <Cite source={snnoop10} />.
      </P>
      <P>
        <strong>Two other studies, in hard-to-treat headache.</strong> Both looked back at people's experience, without
        a placebo group. In one, pain fell during multi-day hospital infusions, but only {say(iv.sustainedResponders)}{' '}
        of the {say(iv.patients)} people still had that benefit at their follow-up visit, which was not statistically
        significant <Cite source={pomeroy2017} />. In the other, {say(spray.veryEffective)} of {say(spray.interviewed)}{' '}
        people using a nasal spray at home called it "very effective", while {say(spray.adverseEvents)} reported at
        least one side effect <Cite source={yuan2023} />.
      </P>
      <P>
        Results vary from person to person, and some people do not benefit at all. Ketamine is not safe for everyone:
        uncontrolled high blood pressure, an aneurysm or serious heart disease, raised pressure in the head or eyes,
        liver disease, psychosis, past substance misuse and pregnancy can rule it out. A consultation is the place to
        weigh this evidence against your own history, and it does not replace the doctor who treats your migraine.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

TheResearchAura.subject = (_props: EmailProps) => 'Ketamine for migraine with aura: one small trial, and its limits';
TheResearchAura.preview = (_props: EmailProps) =>
  'A randomized trial in prolonged aura: what improved, what did not, and why it is only a start.';
TheResearchAura.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default TheResearchAura satisfies StepTemplate;
