import { clinic } from './clinic.ts';
import { BookButton, Layout, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Cost, insurance (superbill), financing and discounts. */
function CostAndFinancing(props: EmailProps) {
  return (
    <Layout {...props} preview={CostAndFinancing.preview(props)} heading="Cost, insurance and ways to pay">
      <P>Hi {props.firstName},</P>
      <P>Cost is a fair question, so here is a straight answer about how it works.</P>
      <P>
        <strong>What it depends on.</strong> The total depends on the route, how long each session lasts and how many
        sessions your plan needs. Results vary, so we plan a small number of sessions first and review with you whether
        it is helping before you commit to more. We give you a clear estimate at your consultation, before any treatment
        is booked.
      </P>
      <P>
        <strong>Insurance.</strong> Coverage of ketamine for migraine is still limited. Some patients get part of the
        cost back from out-of-network benefits by sending their insurer a superbill, an itemized receipt we provide on
        request. Because ketamine for migraine is off-label, many insurers do not pay for it, and we cannot promise
        reimbursement, so it is worth asking your insurer first.
      </P>
      <P>
        <strong>Ways to pay.</strong> We offer financing with 6 months at zero interest, payment plans, package pricing
        when several sessions are planned, and a discount for military members and veterans.
      </P>
      <BookButton href={props.clinic.bookingUrl} label="Get your estimate at a free consultation" />
    </Layout>
  );
}

CostAndFinancing.subject = (_props: EmailProps) => 'What ketamine treatment costs, and ways to pay';
CostAndFinancing.preview = (_props: EmailProps) =>
  'Superbills, zero-interest financing, packages and military discounts.';
CostAndFinancing.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default CostAndFinancing satisfies StepTemplate;
