/**
 * Which clicks were a person's and which a machine's: the rules, their thresholds and the scanner list, in this one
 * place (docs/engagement.md#machine-clicks says why each is what it is). Pure.
 *
 * Corporate mail scanners (Microsoft Safe Links, Barracuda, Proofpoint, Mimecast…) follow every link of an email
 * seconds after it reaches the mail server, before any person has seen it. SES reports those fetches as clicks. A
 * click is a machine's when any of these holds:
 *   1. `after-delivery`: it comes less than `RULES.afterDeliveryMs` after the message reached the recipient's mail
 *      server (the Delivery event's time), or, while no Delivery event is recorded, after SES sent it (the time every
 *      SES event carries in `mail.timestamp`). A click before that time counts too.
 *   2. `every-link`: every tracked link of the email (their number: `links`, from our own record of the send, never an
 *      SES tag: variants of one step differ in it) is clicked within `RULES.burstWindowMs` of each other. Only for an
 *      email with at least two links.
 *   3. `scanner-ua` / `scanner-ip`: the click's user agent or IP address is a known security scanner's
 *      (`SCANNER_USER_AGENTS`, `SCANNER_NETWORKS`). Judged as the event is read; neither value is ever stored.
 *
 * The verdicts are a function of the message's recorded facts alone (`judge`), whatever order SES delivered them in:
 * a burst recognised only at its last click, or a Delivery event arriving after the clicks, turns the earlier clicks
 * into a machine's too; the same facts delivered again judge the same.
 */
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

export const RULES = {
  /**
   * 10 seconds. A person has to get the message from the mail server to a phone or a mail app, notice it, open it
   * and tap a link: several seconds after the server accepted it, at the very least. A scanner fetches the links as
   * the message passes through (Barracuda, Marketo and Act-On describe clicks "immediately after delivery" and
   * "just after the message was sent"; docs/engagement.md#machine-clicks).
   */
  afterDeliveryMs: 10_000,
  /** 2 seconds: a scanner fetches all links at once; a person reading an email does not click all of them within two. */
  burstWindowMs: 2_000,
  /** With one link, "every link" is any click: that case is left to the delivery rule. */
  burstMinLinks: 2,
} as const;

/**
 * User-agent substrings of security scanners, matched without regard to case. Each with where it is documented.
 * Most scanners send an ordinary browser's user agent (Barracuda's ESS "does not identify itself", Act-On writes),
 * so this list is short and the timing rules do most of the work.
 */
export const SCANNER_USER_AGENTS: readonly { token: string; source: string }[] = [
  {
    // "handles abuse-specific crawling, such as malware discovery for publicly posted links on Google properties"
    token: 'Google-Safety',
    source: 'https://developers.google.com/crawling/docs/crawlers-fetchers/google-special-case-crawlers',
  },
];

/**
 * Networks whose every request is a security vendor's. Only ranges a registry or the vendor documents: Barracuda's
 * own documentation says its link checks no longer come from a few fixed addresses, so this is never the only rule.
 */
export const SCANNER_NETWORKS: readonly { network: string; prefix: number; owner: string; source: string }[] = [
  {
    // ARIN: NetRange 64.235.144.0 - 64.235.159.255, NetName BARRAUCDA, OriginAS AS15324, Comment www.barracuda.com.
    // Also treated as Barracuda's link-checking robot by AcyMailing (acymailing_isRobot).
    network: '64.235.144.0',
    prefix: 20,
    owner: 'Barracuda Networks',
    source: 'https://whois.arin.net/rest/net/NET-64-235-144-0-1',
  },
];

const scannerNetworks = new BlockList();
for (const { network, prefix } of SCANNER_NETWORKS) scannerNetworks.addSubnet(network, prefix, 'ipv4');

/** What a click's user agent and IP address say of it; undefined when neither is a known scanner's. */
export function scannerOf(userAgent: string | undefined, ipAddress: string | undefined): ScannerMark | undefined {
  const agent = userAgent?.toLowerCase() ?? '';
  if (agent && SCANNER_USER_AGENTS.some(({ token }) => agent.includes(token.toLowerCase()))) return 'ua';
  const family = ipAddress ? isIP(ipAddress) : 0;
  if (family && scannerNetworks.check(ipAddress!, family === 4 ? 'ipv4' : 'ipv6')) return 'ip';
  return undefined;
}

export type ScannerMark = 'ua' | 'ip';

/** One recorded click: what is kept of it (never the URL, the user agent or the IP address). */
export interface ClickFact {
  /** When SES saw it (ISO, UTC). */
  at: string;
  /** A short fingerprint of the clicked URL (`linkKey`): tells links apart without storing them. */
  link: string;
  /** The URL's `utm_content`, when it names a link (`linkName`). */
  name?: string;
  /** Judged a scanner's by its user agent or IP address when it arrived. */
  scanner?: ScannerMark;
}

/** What is recorded of one message that the rules read. */
export interface MessageClicks {
  /** When SES sent it (`mail.timestamp`). */
  sentAt?: string;
  /** The earliest Delivery event's time. */
  deliveredAt?: string;
  /**
   * How many distinct links SES tracks in it: the lead's record of the send (`MessageRecord.links`); unknown until
   * that record is written (then the every-link rule waits for it).
   */
  links?: number;
  clicks: readonly ClickFact[];
}

export type MachineReason = 'scanner-ua' | 'scanner-ip' | 'after-delivery' | 'every-link';

export interface Verdict {
  click: ClickFact;
  /** Why the click is a machine's; absent for a person's. */
  machine?: MachineReason;
}

/** Every click of the message, oldest first, each with its verdict. */
export function judge(message: MessageClicks): Verdict[] {
  const clicks = [...message.clicks].sort((a, b) => time(a.at) - time(b.at) || a.link.localeCompare(b.link));
  const reasons: (MachineReason | undefined)[] = clicks.map((click) => {
    if (click.scanner) return click.scanner === 'ua' ? 'scanner-ua' : 'scanner-ip';
    const since = message.deliveredAt ?? message.sentAt;
    return since !== undefined && time(click.at) - time(since) < RULES.afterDeliveryMs ? 'after-delivery' : undefined;
  });
  // Every link within the window: slide over the clicks in time order, keeping the links seen in the window that ends
  // at each click. A window holding them all marks each click in it (a superset of any such window is one too).
  const links = message.links ?? 0;
  if (links >= RULES.burstMinLinks) {
    const inWindow = new Map<string, number>();
    let first = 0;
    clicks.forEach((click, last) => {
      inWindow.set(click.link, (inWindow.get(click.link) ?? 0) + 1);
      while (time(click.at) - time(clicks[first]!.at) > RULES.burstWindowMs) {
        const left = clicks[first++]!.link;
        const count = inWindow.get(left)! - 1;
        if (count === 0) inWindow.delete(left);
        else inWindow.set(left, count);
      }
      if (inWindow.size >= links) for (let i = first; i <= last; i++) reasons[i] ??= 'every-link';
    });
  }
  return clicks.map((click, i) => (reasons[i] ? { click, machine: reasons[i] } : { click }));
}

/** How many of a message's clicks were a person's and how many a machine's. */
export interface ClickTally {
  human: number;
  machine: number;
}

export function tally(verdicts: readonly Verdict[]): ClickTally {
  const machine = verdicts.filter((v) => v.machine).length;
  return { human: verdicts.length - machine, machine };
}

/**
 * The lead's `humanClicks` entries a step's verdicts call for: the step id once any of its clicks was a person's,
 * and `<stepId>:<linkName>` for each named link a person clicked.
 */
export function humanEntries(stepId: string, verdicts: readonly Verdict[]): string[] {
  const entries = new Set<string>();
  for (const { click, machine } of verdicts) {
    if (machine) continue;
    entries.add(stepId);
    if (click.name) entries.add(`${stepId}:${click.name}`);
  }
  return [...entries].sort();
}

/** Whether a `humanClicks` entry is about this step. */
export const isEntryOf = (stepId: string, entry: string) => entry === stepId || entry.startsWith(`${stepId}:`);

/** How links are named: emails mark the links that branches care about with `utm_content` (e.g. `cost`). */
const LINK_NAME = /^[a-z0-9-]{1,32}$/;

/** The link's name: its URL's `utm_content` when that is a name; undefined otherwise. */
export function linkName(url: string): string | undefined {
  let content: string | null;
  try {
    content = new URL(url).searchParams.get('utm_content');
  } catch {
    return undefined;
  }
  return content !== null && LINK_NAME.test(content) ? content : undefined;
}

/** A short fingerprint of a clicked URL: 8 characters (48 bits) of its SHA-256. */
export const linkKey = (url: string) => createHash('sha256').update(url).digest('base64url').slice(0, 8);

/** The click as recorded, from what SES reported. */
export function clickFact(at: string, url: string, scanner: ScannerMark | undefined): ClickFact {
  const name = linkName(url);
  return { at, link: linkKey(url), ...(name && { name }), ...(scanner && { scanner }) };
}

const time = (iso: string) => Date.parse(iso);
