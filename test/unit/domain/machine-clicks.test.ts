/**
 * The machine-click rules on recorded-style event sequences: SES events as AWS documents them (the Click and Delivery
 * records of the SES developer guide, test/fixtures/ses-events/), with our message tags, at the times a scanner or a
 * person would produce them, read by the same parser and folded in the same way as the SES-event handler does.
 */
import { describe, expect, it } from 'vitest';
import { withEvent } from '../../../lambdas/domain/engagement.ts';
import {
  humanEntries,
  judge,
  linkKey,
  linkName,
  RULES,
  scannerOf,
  tally,
  type MessageClicks,
} from '../../../lambdas/domain/machine-clicks.ts';
import { parseSesEvent, type EngagementEvent } from '../../../lambdas/domain/ses-event.ts';
import { inEnvelope, recordOf, SES_EVENT_SAMPLES } from '../../fixtures/ses-events/index.ts';

const SENT = Date.parse('2026-03-02T15:00:00.000Z');
const LINKS = [
  'https://clinic.example/consultation?utm_content=book',
  'https://clinic.example/cost?utm_content=cost',
  'https://clinic.example/unsubscribe?token=01ABC.sig',
];
/** What AWS's sample click carries: a desktop Chrome. */
const CHROME = recordOf(sample('click.json')).click as { userAgent: string; ipAddress: string };

function sample(file: string) {
  return SES_EVENT_SAMPLES.find((s) => s.file === file)!;
}

/**
 * AWS's sample record of this type, for our welcome, `ms` after the send, with our tags (ids only); `links`: a `links`
 * tag as messages sent before the count left the tags carried it, which the parser must ignore.
 */
function event(
  file: 'click.json' | 'delivery.json',
  ms: number,
  change: { link?: string; userAgent?: string; ipAddress?: string; links?: number } = {},
): EngagementEvent {
  const s = sample(file);
  const record = recordOf(s);
  record.mail.timestamp = new Date(SENT).toISOString();
  Object.assign(record.mail.tags, {
    leadId: ['01LEAD'],
    sequenceId: ['nurture'],
    stepId: ['welcome'],
    ...(change.links !== undefined && { links: [String(change.links)] }),
  });
  const section = record[file === 'click.json' ? 'click' : 'delivery'] as Record<string, unknown>;
  section.timestamp = new Date(SENT + ms).toISOString();
  if (change.link) section.link = change.link;
  if (change.userAgent) section.userAgent = change.userAgent;
  if (change.ipAddress) section.ipAddress = change.ipAddress;
  const parsed = parseSesEvent(inEnvelope(s, record));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

const click = (ms: number, link: number, change: Parameters<typeof event>[2] = {}) =>
  event('click.json', ms, { link: LINKS[link], ...change });
const delivery = (ms: number) => event('delivery.json', ms);

/**
 * The message after these events, in this order, each recorded once (as the event store keeps them), with the link
 * count of the lead's record of the send (as the SES-event handler adds it); `null`: no record of the send yet.
 */
function recorded(events: readonly EngagementEvent[], links: number | null = LINKS.length): MessageClicks {
  const seen = new Set<string>();
  return events.reduce<MessageClicks>(
    (message, e) => {
      if (seen.has(e.eventId)) return message; // a redelivery: the store's condition refuses it
      seen.add(e.eventId);
      return withEvent(message, e);
    },
    links === null ? { clicks: [] } : { clicks: [], links },
  );
}

const reasons = (events: readonly EngagementEvent[], links?: number | null) =>
  judge(recorded(events, links)).map((v) => v.machine ?? 'person');

const SECOND = 1000;
const HOUR = 3_600_000;

describe('machine clicks', () => {
  it("AWS's sample click (a desktop Chrome, 80 seconds after the send) is kept without its URL, user agent or address, and is a person's", () => {
    const s = sample('click.json');
    const record = recordOf(s);
    Object.assign(record.mail.tags, { leadId: ['01LEAD'], sequenceId: ['nurture'], stepId: ['welcome'] });
    const parsed = parseSesEvent(inEnvelope(s, record));
    expect(parsed.ok).toBe(true);
    const e = (parsed as { event: EngagementEvent }).event;
    expect(e.click).toEqual({
      at: '2017-08-09T23:51:25.570Z',
      link: linkKey(String((record.click as { link: string }).link)),
    });
    expect(JSON.stringify(e)).not.toMatch(/192\.0\.2\.1|Chrome|docs\.aws\.amazon\.com/);
    expect(judge(withEvent({ clicks: [] }, e))).toEqual([{ click: e.click }]);
  });

  it('a scanner burst seconds after delivery is all a machine’s; the person who clicks hours later is a person', () => {
    const events = [delivery(2 * SECOND), click(3 * SECOND, 0), click(3.2 * SECOND, 1), click(6 * HOUR, 1)];
    expect(reasons(events)).toEqual(['after-delivery', 'after-delivery', 'person']);
    expect(humanEntries('welcome', judge(recorded(events)))).toEqual(['welcome', 'welcome:cost']);
  });

  it('the delivery rule stops at its threshold: a click just under it is a machine’s, one at it a person’s', () => {
    const at = (ms: number) => reasons([delivery(SECOND), click(SECOND + ms, 0)], 1);
    expect(at(RULES.afterDeliveryMs - 1)).toEqual(['after-delivery']);
    expect(at(RULES.afterDeliveryMs)).toEqual(['person']);
  });

  it('a click before the Delivery event’s time (a gateway that scans before it accepts) is a machine’s', () => {
    expect(reasons([delivery(30 * SECOND), click(20 * SECOND, 0)])).toEqual(['after-delivery']);
  });

  it('a burst over every link, hours after delivery, is recognised at its last click and takes the earlier ones with it', () => {
    const first = [delivery(2 * SECOND), click(2 * HOUR, 2), click(2 * HOUR + 400, 0)];
    // Two of three links: could be a person, so far.
    expect(reasons(first)).toEqual(['person', 'person']);
    expect(humanEntries('welcome', judge(recorded(first)))).toEqual(['welcome', 'welcome:book']);
    const all = [...first, click(2 * HOUR + 900, 1)];
    expect(reasons(all)).toEqual(['every-link', 'every-link', 'every-link']);
    expect(humanEntries('welcome', judge(recorded(all)))).toEqual([]);
    expect(tally(judge(recorded(all)))).toEqual({ human: 0, machine: 3 });
  });

  it('every link clicked, but not within the window, is a person reading the email', () => {
    const spread = [
      delivery(2 * SECOND),
      click(HOUR, 0),
      click(HOUR + RULES.burstWindowMs / 2, 1),
      click(HOUR + RULES.burstWindowMs + 1, 2),
    ];
    expect(reasons(spread)).toEqual(['person', 'person', 'person']);
  });

  it('without the link count (no record of the send yet) or with one link only, "every link" judges nothing', () => {
    const burst = LINKS.map((_, i) => click(HOUR + i * 100, i));
    expect(reasons([delivery(SECOND), ...burst])).toEqual(['every-link', 'every-link', 'every-link']);
    expect(reasons([delivery(SECOND), ...burst], null)).toEqual(['person', 'person', 'person']);
    expect(reasons([delivery(SECOND), click(HOUR, 0)], 1)).toEqual(['person']);
  });

  it('a `links` tag on an event (as messages sent before the count left the tags carried it) is ignored: only our record counts', () => {
    const tagged = LINKS.map((_, i) => click(HOUR + i * 100, i, { links: LINKS.length }));
    expect(tagged.every((e) => !('links' in e))).toBe(true);
    expect(reasons([delivery(SECOND), ...tagged], null)).toEqual(['person', 'person', 'person']);
  });

  it("a known scanner's user agent or network is a machine's, whenever it clicks; an ordinary browser is not", () => {
    const google =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.182 Safari/537.36 (compatible; Google-Safety; +http://www.google.com/bot.html)';
    expect(reasons([delivery(SECOND), click(5 * HOUR, 0, { userAgent: google })])).toEqual(['scanner-ua']);
    expect(reasons([delivery(SECOND), click(5 * HOUR, 0, { ipAddress: '64.235.150.7' })])).toEqual(['scanner-ip']);
    expect(scannerOf(CHROME.userAgent, CHROME.ipAddress)).toBeUndefined();
    expect(scannerOf(undefined, '64.235.160.1')).toBeUndefined(); // just outside Barracuda's /20
    expect(scannerOf(undefined, '2001:db8::1')).toBeUndefined();
    expect(scannerOf(undefined, 'not an address')).toBeUndefined();
  });

  it('a redelivered click changes nothing', () => {
    const events = [delivery(SECOND), click(HOUR, 1)];
    expect(recorded([...events, click(HOUR, 1), delivery(SECOND)])).toEqual(recorded(events));
  });

  it('out of order, the verdicts are the same: the Delivery arriving after its clicks turns them into a machine’s', () => {
    // SES delivered the message 30 s after the send (a slow gateway); its scanner clicked 4 s later.
    const scanner = [click(34 * SECOND, 0), click(34.1 * SECOND, 1)];
    const person = click(3 * HOUR, 1);
    // Before the Delivery event arrives the clicks are judged from the send: 34 s, a person's, for now.
    expect(reasons([...scanner, person])).toEqual(['person', 'person', 'person']);
    const orders = [
      [delivery(30 * SECOND), ...scanner, person],
      [...scanner, person, delivery(30 * SECOND)],
      [person, scanner[1]!, delivery(30 * SECOND), scanner[0]!],
    ];
    for (const order of orders) expect(reasons(order)).toEqual(['after-delivery', 'after-delivery', 'person']);
  });

  it('a link is named by its utm_content only when that is a short lower-case name', () => {
    expect(linkName('https://clinic.example/cost?utm_source=email&utm_content=cost')).toBe('cost');
    expect(linkName('https://clinic.example/cost?utm_content=Cost')).toBeUndefined();
    expect(linkName(`https://clinic.example/?utm_content=${'a'.repeat(33)}`)).toBeUndefined();
    expect(linkName('https://clinic.example/?utm_content=a%20b')).toBeUndefined();
    expect(linkName('https://clinic.example/')).toBeUndefined();
    expect(linkName('not a url')).toBeUndefined();
  });
});
