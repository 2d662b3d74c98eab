/** Small helpers shared by the HTTP handlers: body decoding and answers in JSON or HTML. */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithIAMAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 16 * 1024;

export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export type DecodedBody =
  { ok: true; kind: 'json' | 'form'; value: unknown } | { ok: false; status: 400 | 413 | 415; message: string };

/** The body's bytes, as the sender sent them (API Gateway base64-encodes some). */
export function rawBody(event: HttpEvent): Buffer {
  return event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
}

/** Decode a JSON or urlencoded body, refusing anything too big or of another type. */
export function decodeBody(event: HttpEvent, raw = rawBody(event)): DecodedBody {
  if (raw.length > MAX_BODY_BYTES)
    return { ok: false, status: 413, message: `The form is too large: at most ${MAX_BODY_BYTES / 1024} KB.` };
  const mediaType = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');
  if (mediaType === 'application/json') {
    try {
      return { ok: true, kind: 'json', value: JSON.parse(text) };
    } catch {
      return { ok: false, status: 400, message: 'The body is not valid JSON.' };
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    return { ok: true, kind: 'form', value: Object.fromEntries(new URLSearchParams(text)) };
  }
  return { ok: false, status: 415, message: 'Send the form as application/json or application/x-www-form-urlencoded.' };
}

/**
 * The ARN of the caller API Gateway's IAM authorizer verified (`requestContext.authorizer.iam.userArn`), if any: an
 * IAM user's ARN, or an assumed role's session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`).
 */
export function iamCaller(event: HttpEvent): string | undefined {
  const iam = (event.requestContext as Partial<APIGatewayProxyEventV2WithIAMAuthorizer['requestContext']>).authorizer
    ?.iam;
  return typeof iam?.userArn === 'string' && iam.userArn.startsWith('arn:') ? iam.userArn : undefined;
}

export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

export function html(statusCode: number, title: string, bodyHtml: string): HttpResult {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2933}h1{font-size:1.5rem}li{margin:.25rem 0}</style></head>
<body>${bodyHtml}</body></html>`;
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A browser's own form post (not a fetch) asks for HTML. */
export function wantsHtml(event: HttpEvent, kind: 'json' | 'form' | undefined): boolean {
  return kind !== 'json' && (header(event, 'accept') ?? '').includes('text/html');
}
