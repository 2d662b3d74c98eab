import { clinic } from './clinic.ts';
import { ehf2020, ichd3, say } from './sources.ts';
import { BookButton, Cite, Layout, P } from './_shared/layout.tsx';
import { Contraindications } from './_shared/blocks.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

const chronic = ichd3.facts;

/**
 * The who-it-helps email for a lead who named chronic migraine: what chronic migraine is, where ketamine fits among
 * its treatments (after the established ones), and who should not have it (the general email's contraindications).
 */
function WhoItHelpsChronic(props: EmailProps) {
  return (
    <Layout {...props} preview={WhoItHelpsChronic.preview(props)} heading="Chronic migraine: where ketamine may fit">
      <P>Hi {props.firstName},</P>
      <P>
        This email is about chronic migraine: what the term means, where ketamine fits among its treatments, and who
        should not have it.
      </P>
      <P>
        <strong>What chronic migraine means.</strong> Doctors call migraine chronic when there is headache on at least{' '}
        {say(chronic.chronicDays)} a month for more than {say(chronic.chronicMonths)}, with the features of migraine on
        at least {say(chronic.chronicMigraineDays)} a month. Taking pain or migraine medicines very often can cause the
        same pattern (medication-overuse headache), so a clinician looks for that too <Cite source={ichd3} />.
      </P>
      <P>
        <strong>The established treatments come first.</strong> Ketamine is not a first treatment for chronic migraine.
        Before it, people are usually offered the standard preventive treatments, such as daily preventive medicines,
        Botox injections or CGRP medicines, with a plan for acute medicines that avoids overuse. These have been tested
        in large trials; ketamine for migraine has not.
      </P>
      <P>
        Headache specialists in Europe call migraine "resistant" only once at least three classes of preventive
        medicines have failed, because they did not help or could not be tolerated, and there are still at least{' '}
        {say(ehf2020.facts.debilitatingDays)} a month with debilitating headache <Cite source={ehf2020} />.
      </P>
      <P>
        Ketamine, which is off-label for migraine, is something a clinician may discuss with you at that point, not
        before.
      </P>
      <P>
        <strong>What to expect from it.</strong> The evidence for ketamine in chronic migraine is early. It comes mostly
        from clinics looking back at their own patients' records, without a placebo group. Results vary, and some people
        get little or no benefit. A later email in this series gives the studies' numbers and their limits.
      </P>
      <Contraindications />
      <P>
        Other conditions and medicines matter too. That is why a clinician reviews your full medical history, your
        medicines and your blood pressure before any treatment is offered. Sometimes the honest answer is that another
        approach fits you better, and we will tell you so. Keep seeing the doctor who treats your migraine: a
        consultation with us does not replace that care.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

WhoItHelpsChronic.subject = (_props: EmailProps) => 'Chronic migraine: where ketamine may fit, and who should avoid it';
WhoItHelpsChronic.preview = (_props: EmailProps) =>
  'What chronic migraine means, the treatments that come first, and the reasons to say no.';
WhoItHelpsChronic.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default WhoItHelpsChronic satisfies StepTemplate;
