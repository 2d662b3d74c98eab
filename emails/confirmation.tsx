import { clinic } from './clinic.ts';
import { BookButton, Item, Layout, List, P } from './_shared/layout.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/** Sent the moment a booking arrives: when, what the visit covers, what to bring, and how to get home after IV. */
function Confirmation(props: EmailProps) {
  return (
    <Layout {...props} preview={Confirmation.preview(props)} heading="Your appointment is booked">
      <P>Hi {props.firstName},</P>
      <P>
        Thank you for booking with {props.clinic.name}. We have you down for{' '}
        <strong>{props.appointment ?? 'your upcoming appointment'}</strong>.
      </P>
      <P>
        <strong>What the visit covers.</strong> A clinician will go through your migraine history with you: how many
        headache days you have in a month, how long attacks last, whether you get aura, and what you have tried so far,
        such as triptans, CGRP medicines, Botox or preventives. We also check your blood pressure and ask about your
        heart, any aneurysm, your liver, your eyes, your mental health history, any past substance use, and pregnancy or
        breastfeeding, because these decide whether ketamine is a reasonable option for you at all. Ketamine is used
        off-label for migraine, and we will explain what that means, its risks, and what results you can realistically
        hope for.
      </P>
      <P>
        <strong>What to bring:</strong>
      </P>
      <List>
        <Item>a list of the medicines you take, with doses;</Item>
        <Item>a headache diary of the last few weeks, if you keep one;</Item>
        <Item>notes on past treatments and how they went;</Item>
        <Item>photo ID and any insurance card, so we can give you a superbill for out-of-network reimbursement.</Item>
      </List>
      <P>
        <strong>When to arrive.</strong> Please come 15 minutes early to fill in a short health form.
      </P>
      <P>
        <strong>If your visit includes an IV session.</strong> Arrange for someone to drive you home: you should not
        drive for the rest of that day. Wear comfortable clothes with sleeves that roll up. We will tell you beforehand
        if you need to avoid food for a few hours.
      </P>
      <P>Need to change the time? Reply to this email, call us at {props.clinic.phone}, or use the link below.</P>
      <BookButton href={props.clinic.bookingUrl} label="Manage your appointment" />
    </Layout>
  );
}

Confirmation.subject = (props: EmailProps) => `You're booked, ${props.firstName}: what to expect and what to bring`;
Confirmation.preview = (props: EmailProps) =>
  `See you ${props.appointment ?? 'soon'}. How to prepare, and what the visit covers.`;
Confirmation.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  messageClass: 'care',
  appointment: 'Tuesday, December 1 at 10:00 AM EST',
  clinic,
} satisfies EmailProps;

export default Confirmation satisfies StepTemplate;
