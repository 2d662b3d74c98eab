import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** How ketamine is thought to act on migraine. */
function HowItWorks(props: EmailProps) {
  return (
    <Layout {...props} preview={HowItWorks.preview(props)} heading="How ketamine may calm a migraine brain">
      <P>Hi {props.firstName},</P>
      <P>In chronic migraine, the nervous system can get stuck in an over-alert state: pain pathways fire too easily, and even light, sound or touch can hurt during an attack. Ketamine is studied for migraine because it acts on that state in a different way from most migraine medicines.</P>
      <P><strong>It blocks the NMDA receptor.</strong> This receptor helps amplify pain signals. Blocking it may quiet pathways that have become over-sensitive.</P>
      <P><strong>It may lower inflammatory signalling.</strong> Ketamine appears to reduce some of the chemical messengers, such as cytokines, involved in pain and swelling.</P>
      <P><strong>It may interrupt a cycle.</strong> For people whose attacks run into one another, the aim is to break the loop rather than only dull one headache. Some people with aura also report milder warning symptoms.</P>
      <P>These are the mechanisms researchers point to; how much they help any one person varies, and ketamine is not a first-line treatment. Next time: who may be a good fit, and who should not have it.</P>
      <BookButton href={props.clinic.bookingUrl} label="Ask us how it might apply to you" />
    </Layout>
  );
}

HowItWorks.subject = (_props: EmailProps) => 'How ketamine may calm an over-sensitive migraine brain';
HowItWorks.preview = (_props: EmailProps) => 'NMDA receptors, inflammation, and breaking a migraine cycle, in plain words.';
HowItWorks.PreviewProps = { firstName: 'Jordan', unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview', clinic } satisfies EmailProps;

export default HowItWorks satisfies StepTemplate;
