import { clinic } from './clinic.ts';
import { A, BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Search links, so a citation never points at an id we might have wrong. */
export const sources = {
  ivRetrospective: 'https://pubmed.ncbi.nlm.nih.gov/?term=ketamine+refractory+headache+retrospective+77+patients',
  intranasalSurvey: 'https://pubmed.ncbi.nlm.nih.gov/?term=intranasal+ketamine+headache+retrospective+169',
  afridiTrial: 'https://pubmed.ncbi.nlm.nih.gov/?term=Afridi+intranasal+ketamine+migraine+prolonged+aura',
};

/** What the studies found, with their numbers and their limits. */
function TheResearch(props: EmailProps) {
  return (
    <Layout {...props} preview={TheResearch.preview(props)} heading="What the research says, and what it cannot say yet">
      <P>Hi {props.firstName},</P>
      <P>Using ketamine for migraine is off-label: the FDA has not approved it for this use. The evidence is growing but still early, so here are the main findings with their limits.</P>
      <P><strong>IV ketamine, 77 people.</strong> A 2017 review of 77 patients with chronic migraine that had not responded to other treatment found that pain scores fell significantly during a multi-day IV course, and many reported relief that lasted beyond it. It looked back at records and had no comparison group. <A href={sources.ivRetrospective}>Source</A></P>
      <P><strong>Nasal spray, 169 people.</strong> In a 2023 study of 169 people using intranasal ketamine, 49% rated it very effective, more than a third said it improved their quality of life, and most felt relief within 90 minutes. These were patients' own reports, gathered after the fact. <A href={sources.intranasalSurvey}>Source</A></P>
      <P><strong>Aura, a small randomised trial.</strong> Afridi and colleagues found intranasal ketamine reduced the severity of prolonged aura compared with a control treatment, in a small group of patients. <A href={sources.afridiTrial}>Source</A></P>
      <P>Larger controlled trials are still needed. Results vary, and a consultation is the place to weigh this evidence against your own history.</P>
      <BookButton href={props.clinic.bookingUrl} />
    </Layout>
  );
}

TheResearch.subject = (_props: EmailProps) => 'Ketamine for migraine: what the studies found, and their limits';
TheResearch.preview = (_props: EmailProps) => 'Three studies, their numbers, and why the evidence is still early.';
TheResearch.PreviewProps = { firstName: 'Jordan', unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview', clinic } satisfies EmailProps;

export default TheResearch satisfies StepTemplate;
