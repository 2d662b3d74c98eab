/**
 * What a message's MSG# item keeps of its clicks, for the rules in `lambdas/domain/machine-clicks.ts` to judge again
 * whenever they are read (the SES-event handler, the report's recount): each click as one short string in the string
 * set `clicks`, `<time>|<link fingerprint>|<scanner mark>|<link name>` (about 45 bytes), and, written by the first
 * click, when SES sent the message (`sentAt`, from `mail.timestamp`). The Delivery time is the item's `firstDeliveryAt`;
 * how many links SES tracks in the message is the lead's record of the send (`MessageRecord.links`), which the reader
 * adds. Never a URL, a user agent or an IP address.
 */
import type { ClickFact, MessageClicks, ScannerMark } from '../domain/machine-clicks.ts';

export const CLICKS_ATTRIBUTE = 'clicks';
/** What the report reads of a MSG# item for its clicks (besides `firstDeliveryAt`). */
export const CLICK_ATTRIBUTES = [CLICKS_ATTRIBUTE, 'sentAt'] as const;

/** One click's entry in `clicks`. */
export const clickEntry = (click: ClickFact) => [click.at, click.link, click.scanner ?? '', click.name ?? ''].join('|');

function clickOf(entry: string): ClickFact {
  const [at = '', link = '', scanner, name] = entry.split('|');
  return { at, link, ...(scanner && { scanner: scanner as ScannerMark }), ...(name && { name }) };
}

/** A MSG# item's clicks and the times they are judged against (without `links`: the lead's record holds that). */
export function messageClicks(item: Record<string, unknown> | undefined): MessageClicks {
  const entries = item?.[CLICKS_ATTRIBUTE] as Set<string> | undefined;
  return {
    ...(typeof item?.sentAt === 'string' && { sentAt: item.sentAt }),
    ...(typeof item?.firstDeliveryAt === 'string' && { deliveredAt: item.firstDeliveryAt }),
    clicks: [...(entries ?? [])].map(clickOf),
  };
}
