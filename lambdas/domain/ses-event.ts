/**
 * SES events as EventBridge delivers them (an SES configuration set's event destination), validated, and reduced to
 * what we record. An event is joined to its lead by the message tags (ids only), never by an address.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { SES_EVENT_TYPES, type SesEventType } from '../contract.ts';
import { clickFact, scannerOf, type ClickFact } from './machine-clicks.ts';

// Our tags hold ids, in SES's own tag alphabet; anything else is not an event for one of our messages.
const tag = z.array(z.string().regex(/^[A-Za-z0-9_-]{1,255}$/)).min(1);

const detail = z.object({
  eventType: z.enum(SES_EVENT_TYPES),
  mail: z.object({
    messageId: z.string().min(1).max(256),
    timestamp: z.iso.datetime({ offset: true }),
    tags: z.object({ leadId: tag, sequenceId: tag, stepId: tag }).loose(),
  }),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      timestamp: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
  complaint: z.object({ timestamp: z.iso.datetime({ offset: true }).optional() }).optional(),
  delivery: z.object({ timestamp: z.iso.datetime({ offset: true }).optional() }).optional(),
  open: z.object({ timestamp: z.iso.datetime({ offset: true }).optional() }).optional(),
  // SES's Click object: `ipAddress`, `timestamp`, `userAgent`, `link` and `linkTags` (docs/engagement.md#machine-clicks).
  // The user agent and the address are read to judge the click, never kept.
  click: z
    .object({
      timestamp: z.iso.datetime({ offset: true }).optional(),
      link: z.string().max(2048).optional(),
      userAgent: z.string().optional(),
      ipAddress: z.string().optional(),
    })
    .optional(),
  deliveryDelay: z.object({ timestamp: z.iso.datetime({ offset: true }).optional() }).optional(),
});

const envelope = z.object({ source: z.literal('aws.ses'), detail });

/** An event type as we record it: SES's name without spaces (`Rendering Failure` is stored as `RenderingFailure`). */
export type EngagementType = NoSpaces<SesEventType>;
type NoSpaces<S extends string> = S extends `${infer A} ${infer B}` ? `${A}${NoSpaces<B>}` : S;

export interface EngagementEvent {
  /**
   * Deterministic: the same SES notification always gets the same id, so a redelivery changes nothing. A hash of
   * type, message id, time and link, so a 2,000-character link still makes a short key.
   */
  eventId: string;
  type: EngagementType;
  leadId: string;
  sequenceId: string;
  stepId: string;
  messageId: string;
  at: string;
  /** When SES sent the message (`mail.timestamp`). */
  sentAt: string;
  /** Only a permanent bounce or a complaint stops a lead. */
  suppresses: 'bounced' | 'complained' | undefined;
  /** A Click: what is kept of it (a fingerprint of its link, the link's name, a scanner's mark), never the URL. */
  click?: ClickFact;
}

export type ParsedEvent = { ok: true; event: EngagementEvent } | { ok: false; reason: string };

export function parseSesEvent(input: unknown): ParsedEvent {
  const result = envelope.safeParse(input);
  if (!result.success)
    return {
      ok: false,
      reason: result.error.issues
        .map((i) => `${i.path.join('.')}: ${i.code}`)
        .slice(0, 3)
        .join('; '),
    };
  const { eventType, mail, ...parts } = result.data.detail;
  const type = eventType.replace(/ /g, '') as EngagementType;
  const section = {
    Send: undefined,
    Delivery: parts.delivery,
    Open: parts.open,
    Click: parts.click,
    Bounce: parts.bounce,
    Complaint: parts.complaint,
    Reject: undefined,
    DeliveryDelay: parts.deliveryDelay,
    RenderingFailure: undefined,
    Subscription: undefined,
  }[type];
  const at = section?.timestamp ?? mail.timestamp;
  // An offset can carry a valid time out of the four-digit years ('9999-12-31T23:59:59-12:00'): stored as
  // '+010000-…', it would sort before every real time and become the "first" of its kind.
  if (![at, mail.timestamp].every((time) => /^\d{4}-/.test(new Date(time).toISOString())))
    return { ok: false, reason: 'timestamp: out of range' };
  const link = type === 'Click' ? parts.click?.link : undefined;
  const sentAt = new Date(mail.timestamp).toISOString();
  const suppresses =
    type === 'Complaint'
      ? 'complained'
      : type === 'Bounce' && parts.bounce?.bounceType === 'Permanent'
        ? 'bounced'
        : undefined;
  return {
    ok: true,
    event: {
      eventId: createHash('sha256')
        .update(JSON.stringify([type, mail.messageId, at, link ?? null]))
        .digest('base64url'),
      type,
      leadId: mail.tags.leadId[0]!,
      sequenceId: mail.tags.sequenceId[0]!,
      stepId: mail.tags.stepId[0]!,
      messageId: mail.messageId,
      at: new Date(at).toISOString(),
      sentAt,
      suppresses,
      ...(type === 'Click' && {
        click: clickFact(
          new Date(at).toISOString(),
          link ?? '',
          scannerOf(parts.click?.userAgent, parts.click?.ipAddress),
        ),
      }),
    },
  };
}
