/**
 * The frame every email shares: the clinic's name at the top; at the bottom the medical disclaimer, the postal
 * address (CAN-SPAM) and a visible link to the unsubscribe page: "Unsubscribe" on marketing, which stops marketing
 * only; "Stop all emails from us" on care (about a booked visit), which leads to the page's "stop everything".
 */
import type { ReactNode } from 'react';
import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from 'react-email';
import type { Source } from '../sources.ts';
import type { EmailProps } from './types.ts';

export const theme = {
  ink: '#1f2933',
  muted: '#52606d',
  accent: '#1d4e89',
  paper: '#ffffff',
  background: '#f3f6f9',
  font: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
};

const styles = {
  body: { backgroundColor: theme.background, fontFamily: theme.font, margin: 0, padding: '24px 0' },
  container: {
    backgroundColor: theme.paper,
    maxWidth: '600px',
    margin: '0 auto',
    padding: '32px 36px',
    borderRadius: '8px',
  },
  brand: {
    color: theme.accent,
    fontSize: '14px',
    fontWeight: 700,
    letterSpacing: '0.04em',
    textTransform: 'uppercase' as const,
    margin: '0 0 24px',
  },
  heading: { color: theme.ink, fontSize: '24px', lineHeight: '32px', margin: '0 0 16px' },
  text: { color: theme.ink, fontSize: '16px', lineHeight: '26px', margin: '0 0 16px' },
  button: {
    backgroundColor: theme.accent,
    color: '#ffffff',
    borderRadius: '6px',
    padding: '12px 22px',
    fontSize: '16px',
    fontWeight: 600,
    textDecoration: 'none',
  },
  small: { color: theme.muted, fontSize: '12px', lineHeight: '18px', margin: '0 0 8px' },
  link: { color: theme.accent },
  list: { color: theme.ink, fontSize: '16px', lineHeight: '26px', margin: '0 0 16px', paddingLeft: '24px' },
  item: { margin: '0 0 6px' },
};

/** A paragraph in the house style. */
export function P({ children }: { children: ReactNode }) {
  return <Text style={styles.text}>{children}</Text>;
}

/**
 * A clinic link named for the engagement branches: its URL carries `utm_content=<name>`, which a human click records
 * as `<stepId>:<name>` on the lead (`emails/outline.ts` branches on it). Names are 1-32 of a-z, 0-9 and -.
 */
export function named(href: string, name: string): string {
  const url = new URL(href);
  url.searchParams.set('utm_content', name);
  return url.toString();
}

/** A link in the house style. */
export function A({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} style={styles.link}>
      {children}
    </Link>
  );
}

/**
 * A real bulleted list: screen readers announce it as a list, and the plain-text part shows each item on its own
 * line with a bullet.
 */
export function List({ children }: { children: ReactNode }) {
  return <ul style={styles.list}>{children}</ul>;
}

/** One item of a <List>. */
export function Item({ children }: { children: ReactNode }) {
  return <li style={styles.item}>{children}</li>;
}

/**
 * A citation: a link to the paper itself (its DOI or PubMed page), named as the source registry names it.
 * Cite only sources from emails/sources.ts; `npm run check:emails` refuses any other study link.
 */
export function Cite({ source }: { source: Pick<Source, 'short' | 'url'> }) {
  return (
    <>
      (<A href={source.url}>{source.short}</A>)
    </>
  );
}

/** The call to action: book a free consultation. */
export function BookButton({ href, label = 'Book a free consultation' }: { href: string; label?: string }) {
  return (
    <Section style={{ margin: '8px 0 24px' }}>
      <Button href={href} style={styles.button}>
        {label}
      </Button>
    </Section>
  );
}

export interface LayoutProps extends EmailProps {
  preview: string;
  heading: string;
  children: ReactNode;
  /** Why a care email came, in the footer; default: a booked visit. */
  careReason?: string;
}

export function Layout({
  preview,
  previewText,
  heading,
  clinic,
  unsubscribeUrl,
  messageClass,
  children,
  careReason = 'You are getting this because you booked a visit with us.',
}: LayoutProps) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{previewText ?? preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Text style={styles.brand}>{clinic.name}</Text>
          <Heading as="h1" style={styles.heading}>
            {heading}
          </Heading>
          {children}
          <Hr style={{ borderColor: '#d9e2ec', margin: '28px 0 20px' }} />
          <Text style={styles.small}>
            This email is general information, not medical advice. The FDA has not approved ketamine for treating
            migraine, so its use for migraine is off-label. Results vary from person to person. Please talk with a
            qualified clinician about your own situation before starting or changing any treatment.
          </Text>
          <Text style={styles.small}>
            {clinic.name} · {clinic.postalAddress.join(' · ')} · {clinic.phone}
          </Text>
          {messageClass === 'care' ? (
            <Text style={styles.small}>
              {careReason}{' '}
              <Link href={unsubscribeUrl} style={styles.link}>
                Stop all emails from us
              </Link>{' '}
              if you want no more email from us at all, even about your visit.
            </Text>
          ) : (
            <Text style={styles.small}>
              You are getting this because you asked about a consultation.{' '}
              <Link href={unsubscribeUrl} style={styles.link}>
                Unsubscribe
              </Link>{' '}
              and we will send you no more of these emails.
            </Text>
          )}
        </Container>
      </Body>
    </Html>
  );
}
