/**
 * The clinic's details, in one place. Every email's header, footer and sender come from here.
 * Ops can override any of these per stage at deploy time; locally these values are used as they are.
 * They are placeholders (a reserved domain, a fictional 555-01xx number): fine locally and in the dev stage, and
 * refused by a production stage, which must set the real ones in cdk.json (`lib/placeholders.ts`, docs/operations.md).
 */
export interface Clinic {
  /** Shown in every email and in the From name. */
  name: string;
  /** Postal address (CAN-SPAM requires a valid one in every marketing email). One line per entry. */
  postalAddress: readonly string[];
  phone: string;
  website: string;
  /** Where "Book a consultation" buttons go. */
  bookingUrl: string;
  /**
   * The clinic's page on cost, insurance and ways to pay. Emails link it with `utm_content=cost`, and a click on it
   * brings the cost email forward (`bringForward` in `emails/outline.ts`).
   */
  costUrl: string;
  /** The sender. Its domain must be verified in SES. */
  fromAddress: string;
  replyTo: string;
  /** IANA time zone used when a lead does not give one. */
  defaultTimeZone: string;
}

export const clinic: Clinic = {
  name: 'Ketamine Center of Central Georgia',
  postalAddress: ['100 Example Street, Suite 200', 'Macon, GA 31201', 'United States'],
  phone: '+1 (478) 555-0100',
  website: 'https://clinic.example',
  bookingUrl: 'https://clinic.example/consultation',
  costUrl: 'https://clinic.example/cost',
  fromAddress: 'care@clinic.example',
  replyTo: 'frontdesk@clinic.example',
  defaultTimeZone: 'America/New_York',
};
