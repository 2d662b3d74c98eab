/**
 * Whether the major mail clients can show an email: its HTML against caniemail.com's data, less the gaps the emails
 * accept on purpose (each with the reason it is safe).
 */
import { caniemail, groupIssues, rawData } from 'caniemail';
import type { Problem } from './email-checks.ts';

/** The clients most of the clinic's leads read mail in (caniemail.com's names). */
export const MAJOR_CLIENTS: Parameters<typeof caniemail>[0]['clients'] = [
  'gmail.*',
  'apple-mail.*',
  'outlook.*',
  'yahoo.*',
];

/**
 * Features some major client does not support at all that the emails use on purpose, each with the reason it is
 * safe. Everything here comes from react-email's own components and the shared layout. Any other unsupported
 * feature fails the check.
 */
export const ACCEPTED_CLIENT_GAPS: Record<string, string> = {
  '<body> element':
    'react-email repeats the body’s styles on an inner table, so clients that drop <body> show the same email.',
  'display:none':
    'Only the hidden preview text uses it; react-email stacks several hiding methods so each client hides it one way.',
  opacity: 'Only the hidden preview text uses it (see display:none).',
  overflow: 'Only the hidden preview text uses it (see display:none).',
  'max-height property': 'Only the hidden preview text uses it (see display:none).',
  'role attribute':
    'role="presentation" tells screen readers a table is layout; a client that drops it shows the same email.',
  'border-radius': 'Buttons get square corners in Outlook for Windows; nothing else changes.',
  'target attribute': 'Links open in a new window in every client anyway.',
  'text-decoration-line': 'A client that ignores it may underline the button text; it stays readable.',
  outline: 'react-email’s <Img> sets outline:none; a client that ignores it may outline a linked image.',
};

const clientName = (client: string) => {
  const [family = '', platform = ''] = client.split('.');
  const names = rawData.nicenames as { family: Record<string, string>; platform: Record<string, string> };
  return `${names.family[family] ?? family} (${names.platform[platform] ?? platform})`;
};

/** One problem per feature some major client cannot show, naming the clients and caniemail's page for it. */
export function clientProblems(html: string): Problem[] {
  const unsupported = new Map<string, Set<string>>();
  for (const group of groupIssues(caniemail({ clients: MAJOR_CLIENTS, html }).issues.errors)) {
    if (group.issue.title in ACCEPTED_CLIENT_GAPS) continue;
    unsupported.set(group.issue.title, new Set([...(unsupported.get(group.issue.title) ?? []), ...group.clients]));
  }
  return [...unsupported].map(([title, clients]) => ({
    rule: 'email-clients' as const,
    problem: `It uses “${title}”, which ${[...clients].map(clientName).join(', ')} cannot show (${rawData.data.find((feature) => feature.title === title)?.url ?? 'https://www.caniemail.com'}).`,
    fix: 'Lay the email out with react-email’s components (<Section>, <Row>, <Column>, <Img>, <Button>) and simple styles (colour, font, size, padding), which every major client supports.',
  }));
}
