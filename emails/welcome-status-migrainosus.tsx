import { clinic } from './clinic.ts';
import { ichd3, nhsHeadaches, say, snnoop10 } from './sources.ts';
import { BookButton, Cite, Item, Layout, List, P } from './_shared/layout.tsx';
import { SeriesTopics } from './_shared/blocks.tsx';
import type { EmailProps, StepTemplate } from './_shared/types.ts';

/**
 * The welcome for a lead who named status migrainosus: when an attack needs emergency care comes first, before
 * anything else; then what the general welcome (welcome.tsx) says: thanks, what the series covers, off-label, how
 * to reach a person.
 */
function WelcomeStatusMigrainosus(props: EmailProps) {
  return (
    <Layout
      {...props}
      preview={WelcomeStatusMigrainosus.preview(props)}
      heading="First: when a migraine attack needs emergency care"
    >
      <P>
        <strong>Call 911, or go to the nearest emergency department now, if a headache:</strong>
      </P>
      <List>
        <Item>came on suddenly, like a thunderclap, and is the worst you have ever had;</Item>
        <Item>
          comes with weakness, numbness, confusion, trouble speaking, loss of vision or unusual drowsiness that is new
          to you or unlike your usual aura;
        </Item>
        <Item>comes with a fever and a stiff neck, or a rash;</Item>
        <Item>began after a blow to the head or a fall.</Item>
      </List>
      <P>
        These warning signs follow the NHS's advice on headaches <Cite source={nhsHeadaches} /> and a review, by
        neurologists, of the signs that a headache has another, possibly serious, cause <Cite source={snnoop10} />.
      </P>
      <P>
        <strong>Get medical care the same day</strong>, at an emergency department or from the doctor who treats your
        migraine, if an attack has not let up for more than {say(ichd3.facts.statusHours)} despite your usual medicines.
        That is what status migrainosus means <Cite source={ichd3} />.
      </P>
      <P>
        A headache of a new kind for you, or a sharp change in your usual pattern, also needs a doctor's check before
        anything else <Cite source={snnoop10} />.
      </P>
      <P>
        A consultation with us is not emergency care. We cannot treat an attack that is happening now, and our email and
        phone line are not for emergencies: for those, call 911.
      </P>
      <P>
        Welcome, {props.firstName}, and thank you for contacting {props.clinic.name}. Long, stubborn attacks wear people
        down, and looking into a new option takes energy. We are glad you reached out.
      </P>
      <SeriesTopics clinic={props.clinic} />
      <P>
        Ketamine is not right for everyone, and using it for migraine is off-label. Results vary, and some people get
        little or no benefit. A consultation, booked for a time when you are not in the middle of an attack, is the
        place to find out whether it makes sense for you, or whether another approach fits better. It does not replace
        the doctor who treats your migraine. You do not have to wait for the series to end to book one.
      </P>
      <BookButton href={props.clinic.bookingUrl} />
      <P>Questions that are not an emergency? Reply to this email or call us at {props.clinic.phone}.</P>
    </Layout>
  );
}

WelcomeStatusMigrainosus.subject = (props: EmailProps) =>
  `Welcome, ${props.firstName}: first, when a migraine needs emergency care`;
WelcomeStatusMigrainosus.preview = (_props: EmailProps) =>
  'The warning signs that mean call 911, then what this short series covers.';
WelcomeStatusMigrainosus.PreviewProps = {
  firstName: 'Jordan',
  unsubscribeUrl: 'https://clinic.example/unsubscribe?token=preview',
  clinic,
} satisfies EmailProps;

export default WelcomeStatusMigrainosus satisfies StepTemplate;
