/**
 * What SES's open and click tracking does in AWS, done by the local runtime: links in each email are rewritten to
 * pass through `/t/click` (which records a Click and redirects) and a 1×1 image at `/t/open` records an Open.
 * Links are signed, so the redirect cannot be used to send people anywhere else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DynamoLeadStore } from '../lambdas/adapters/dynamo-lead-store.ts';
import type { Clock, Mailer, OutgoingEmail } from '../lambdas/domain/ports.ts';
import type { HttpResult } from '../lambdas/handlers/http.ts';
import type { Route } from './http-server.ts';
import { sesEventFor } from './engagement-feed.ts';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

type Tags = OutgoingEmail['tags'];

function sign(secret: string, parts: string[]): string {
  return createHmac('sha256', secret).update(parts.join('\n')).digest('base64url');
}

function query(tags: Tags, secret: string, url?: string): string {
  const params = new URLSearchParams({ l: tags.leadId, q: tags.sequenceId, s: tags.stepId, ...(url && { u: url }) });
  params.set('sig', sign(secret, [tags.leadId, tags.sequenceId, tags.stepId, url ?? 'open']));
  return params.toString();
}

function verified(rawQuery: string, secret: string, withUrl: boolean): (Tags & { url?: string }) | undefined {
  const params = new URLSearchParams(rawQuery);
  const [leadId, sequenceId, stepId, url, sig] = ['l', 'q', 's', 'u', 'sig'].map((key) => params.get(key) ?? '');
  if (!leadId || !sequenceId || !stepId || (withUrl && !url)) return undefined;
  const expected = Buffer.from(sign(secret, [leadId, sequenceId, stepId, withUrl ? url! : 'open']));
  const given = Buffer.from(sig!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { leadId, sequenceId, stepId, ...(withUrl && { url: url! }) };
}

/** Rewrite an email's https links (not the unsubscribe link) and add the open pixel. */
export function withTracking(mailer: Mailer, apiUrl: string, secret: string): Mailer {
  return {
    send(email) {
      const html = email.html
        .replace(/href="(https:\/\/[^"]+)"/g, (whole, href: string) => {
          const url = href.replaceAll('&amp;', '&');
          return url === email.unsubscribeUrl
            ? whole
            : `href="${apiUrl}/t/click?${query(email.tags, secret, url).replaceAll('&', '&amp;')}"`;
        })
        .replace(
          '</body>',
          `<img src="${apiUrl}/t/open?${query(email.tags, secret).replaceAll('&', '&amp;')}" width="1" height="1" alt="" style="display:block;border:0"></body>`,
        );
      return mailer.send({ ...email, html });
    },
  };
}

/** The two routes, recording events through the same handler as SES's events in AWS. */
export function trackingRoutes(
  store: DynamoLeadStore,
  record: (event: unknown) => Promise<unknown>,
  clock: Clock,
  secret: string,
): Record<string, Route> {
  const messageFor = async (tags: Tags) =>
    (await store.messages(tags.leadId)).find((m) => m.sequenceId === tags.sequenceId && m.stepId === tags.stepId);

  return {
    'GET /t/click': async (event): Promise<HttpResult> => {
      const tags = verified(event.rawQueryString, secret, true);
      if (!tags?.url)
        return { statusCode: 400, headers: { 'content-type': 'text/plain' }, body: 'This link is not valid.' };
      const message = await messageFor(tags);
      // As SES reports a click: the browser's user agent and address, and the send's time as the mail's.
      const { userAgent, sourceIp: ipAddress } = event.requestContext.http;
      if (message?.messageId)
        await record(
          sesEventFor(
            'Click',
            message.messageId,
            tags,
            clock.now(),
            { link: tags.url, userAgent, ipAddress },
            message.at,
          ),
        );
      return { statusCode: 302, headers: { location: tags.url }, body: '' };
    },
    'GET /t/open': async (event): Promise<HttpResult> => {
      const tags = verified(event.rawQueryString, secret, false);
      const message = tags && (await messageFor(tags));
      if (tags && message?.messageId)
        await record(sesEventFor('Open', message.messageId, tags, clock.now(), {}, message.at));
      return {
        statusCode: 200,
        headers: { 'content-type': 'image/gif', 'cache-control': 'no-store' },
        body: PIXEL.toString('base64'),
        isBase64Encoded: true,
      };
    },
  };
}
