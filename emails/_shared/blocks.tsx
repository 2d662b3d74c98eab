/**
 * Passages that several emails say word for word, kept in one place so that a change the medical director asks for
 * reaches every email that says it: who should not have ketamine (the who-it-helps email and its interest variants),
 * and the topics the series covers (the welcome and its variant).
 */
import type { Clinic } from '../clinic.ts';
import { A, Item, List, named, P } from './layout.tsx';

/** Who should not have ketamine, or only after extra review: the conditions every who-it-helps email lists. */
export function Contraindications() {
  return (
    <>
      <P>
        <strong>Ketamine is not safe for everyone.</strong> We generally do not offer it, or offer it only after extra
        review with your other doctors, if you have or have had:
      </P>
      <List>
        <Item>high blood pressure that is not under control;</Item>
        <Item>an aneurysm, or serious heart disease;</Item>
        <Item>raised pressure inside the head or in the eyes, such as some forms of glaucoma;</Item>
        <Item>liver disease;</Item>
        <Item>psychosis or schizophrenia, now or in the past;</Item>
        <Item>a substance use disorder, or past misuse of ketamine or other drugs;</Item>
        <Item>a pregnancy, a plan to become pregnant soon, or you are breastfeeding.</Item>
      </List>
    </>
  );
}

/** What the series covers, one topic an email; the cost topic links the clinic's cost page (`utm_content=cost`). */
export function SeriesTopics({ clinic }: { clinic: Clinic }) {
  return (
    <>
      <P>
        Over the next few weeks we will send you a few short emails. Each one answers a question people often ask about
        ketamine for migraine:
      </P>
      <List>
        <Item>how ketamine is thought to act on migraine;</Item>
        <Item>who may be a candidate, and who should not have it;</Item>
        <Item>its side effects and risks, and how we watch for them;</Item>
        <Item>how it is given: by IV infusion or as a nasal spray;</Item>
        <Item>what the studies found, and what they could not show;</Item>
        <Item>
          <A href={named(clinic.costUrl, 'cost')}>cost, insurance and ways to pay</A>.
        </Item>
      </List>
    </>
  );
}
