/** The placeholder checks a production stage must pass (lib/placeholders.ts): what they catch, and what they let by. */
import { describe, expect, it } from 'vitest';
import {
  isPlaceholderArn,
  isPlaceholderDomain,
  isPlaceholderEmail,
  isPlaceholderPhone,
  isPlaceholderText,
  isPlaceholderUrl,
} from '../../../lib/placeholders.ts';

describe('phone numbers', () => {
  it.each([
    '+1 (478) 555-0100',
    '478-555-0142',
    '4785550199',
    '(478) 555-0123',
    '478.555.0150',
    '+1 478 555 0100',
    '1-478-555-0100',
    '555-0100',
    '+1 (478) 555-0100 ext. 12',
    '478-555-XXXX',
    'TODO',
  ])('%s is a placeholder', (phone) => {
    expect(isPlaceholderPhone(phone)).toBe(true);
  });

  it.each([
    ['a 555 number outside 01xx', '+1 (478) 555-2368'],
    ['directory assistance', '478-555-1212'],
    ['555-0200, just past the range', '478-555-0200'],
    ['an ordinary number', '+1 (478) 743-2100'],
    ['a number with 555 in its line number', '(478) 743-5550'],
    ['a number whose area code is 555-adjacent', '(555) 201-0100'],
    ['a number outside North America', '+44 20 7946 0958'],
  ])('%s passes (%s)', (_, phone) => {
    expect(isPlaceholderPhone(phone)).toBe(false);
  });
});

describe('domains, URLs and email addresses', () => {
  it.each([
    'example',
    'example.com',
    'example.net',
    'example.org',
    'www.example.com',
    'clinic.example',
    'dev.clinic.example',
    'clinic.test',
    'clinic.invalid',
    'localhost',
    'app.localhost',
    'CLINIC.EXAMPLE.',
    'example.io',
    'your-example-clinic.com',
    'placeholder.com',
    'changeme.org',
  ])('%s is a placeholder', (domain) => {
    expect(isPlaceholderDomain(domain)).toBe(true);
  });

  it.each([
    'examplesmiles.com',
    'counterexample.org',
    'centralgeorgiaketamine.com',
    'testing-clinic.com',
    'mail.maconclinic.org',
    'sample.health',
  ])('%s passes', (domain) => {
    expect(isPlaceholderDomain(domain)).toBe(false);
  });

  it('URLs and origins are judged by their host', () => {
    expect(isPlaceholderUrl('https://clinic.example/consultation')).toBe(true);
    expect(isPlaceholderUrl('https://www.clinic.example')).toBe(true);
    expect(isPlaceholderUrl('https://localhost:8443')).toBe(true);
    expect(isPlaceholderUrl('https://examplesmiles.com/book?ref=example')).toBe(false);
    expect(isPlaceholderUrl('not a url')).toBe(false); // its format is another check's business
  });

  it('email addresses by their domain, and by any placeholder word', () => {
    expect(isPlaceholderEmail('ops@clinic.example')).toBe(true);
    expect(isPlaceholderEmail('care@example.com')).toBe(true);
    expect(isPlaceholderEmail('todo@maconclinic.org')).toBe(true);
    expect(isPlaceholderEmail('ops@maconclinic.org')).toBe(false);
    expect(isPlaceholderEmail('example.team@examplesmiles.com')).toBe(true);
    expect(isPlaceholderEmail('frontdesk@examplesmiles.com')).toBe(false);
  });
});

describe('address lines and names', () => {
  it.each([
    '100 Example Street, Suite 200',
    '42 Example Ave',
    'EXAMPLE ROAD 7',
    'Placeholder',
    'TODO: real address',
    'TBD',
    'FIXME',
    'changeme',
    'Change me',
    'Lorem ipsum dolor',
    'Suite XXX',
    '1 Main St, Anytown, USA',
  ])('%s is a placeholder', (line) => {
    expect(isPlaceholderText(line)).toBe(true);
  });

  it.each([
    // Real roads and real-looking addresses: Sample Road runs through Broward County, Florida; many towns have a
    // 123 Main Street. Refusing them would leave such a clinic no way to deploy.
    '4500 W Sample Rd',
    '123 Main St',
    '1850 Pinewood Drive, Suite 1100',
    'Macon, GA 31201',
    'United States',
    'Counterexample Way 9',
    'Todoroki Building',
    'Box 12',
    'Ketamine Center of Central Georgia',
  ])('%s passes', (line) => {
    expect(isPlaceholderText(line)).toBe(false);
  });
});

describe('ARNs', () => {
  it.each([
    'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    'arn:aws:acm:us-east-1:111122223333:certificate/5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
    'arn:aws:acm:us-east-1:210987654321:certificate/TODO',
    'arn:aws:acm:us-east-1:210987654321:certificate/example',
  ])('%s is a placeholder', (arn) => {
    expect(isPlaceholderArn(arn)).toBe(true);
  });

  it.each([
    [
      'a certificate in an ordinary account',
      'arn:aws:acm:us-east-1:210987654321:certificate/5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
    ],
    ['not an ARN', 'certificate/123456789012'],
  ])('%s passes (%s)', (_, arn) => {
    expect(isPlaceholderArn(arn)).toBe(false);
  });
});
