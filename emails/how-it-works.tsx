import { clinic } from './clinic.ts';
import { afridi2013 } from './sources.ts';
import { A, BookButton, Cite, Layout, named, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';
import { howItWorksSubject } from './how-it-works.experiment.ts';

/** How ketamine is thought to act on migraine, with what is known and what is not. */
function HowItWorks(props: EmailProps) {
  return (
    <Layout {...props} preview={HowItWorks.preview(props)} heading="How ketamine may act on a migraine brain">
      <P>Hi {props.firstName},</P>
      <P>
        In chronic migraine, the nervous system can become over-responsive: pain pathways fire too easily, and during an
        attack even light, sound or a gentle touch can hurt. Doctors call this sensitization. Ketamine is studied for
        migraine because it works on the brain in a different way from most migraine medicines.
      </P>
      <P>
        <strong>It blocks the NMDA receptor.</strong> This receptor, part of the brain's glutamate signaling system,
        takes part in amplifying pain signals. Researchers think that blocking it may quiet pathways that have become
        over-sensitive.
      </P>
      <P>
        <strong>It may affect inflammation.</strong> Laboratory research suggests ketamine may lower some inflammatory
        messengers, such as cytokines. Whether this matters for migraine in people is not known.
      </P>
      <P>
        <strong>Aura.</strong> In one small trial, a ketamine nasal spray made prolonged aura less severe, but did not
        make it shorter <Cite source={afridi2013} />.
      </P>
      <P>
        These are theories and early findings, not settled facts. Ketamine is not a first-line migraine treatment, its
        use for migraine is off-label, and how much it helps varies widely from person to person. Next time: who may be
        a candidate, and who should not have ketamine.
      </P>
      <BookButton href={props.clinic.bookingUrl} label="Ask a clinician how it might apply to you" />
      <P>
        Wondering what treatment costs? Our page on{' '}
        <A href={named(props.clinic.costUrl, 'cost')}>cost and ways to pay</A> explains it.
      </P>
    </Layout>
  );
}

HowItWorks.subject = (_props: EmailProps) => 'How ketamine may calm an over-sensitive migraine brain';
HowItWorks.preview = (_props: EmailProps) => 'NMDA receptors, inflammation and aura: what is known, and what is not.';
/** Its subject-line experiment, declared beside it so /admin can name it without loading this template. */
HowItWorks.experiment = howItWorksSubject;
HowItWorks.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default HowItWorks satisfies StepTemplate;
