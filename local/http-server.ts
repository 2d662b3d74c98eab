/**
 * The local stand-in for API Gateway: turns each Node request into an API Gateway v2 (HTTP API) event,
 * calls the same handler Lambda would, and writes its result back.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { HttpEvent, HttpResult } from '../lambdas/handlers/http.ts';

export type Route = (event: HttpEvent) => Promise<HttpResult>;

/** Bodies past this are cut off here, as API Gateway would refuse them (its limit is larger; the handlers enforce theirs). */
const READ_LIMIT = 1024 * 1024;

export function toHttpEvent(req: IncomingMessage, body: Buffer): HttpEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers))
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(',') : value;
  const method = req.method ?? 'GET';
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search && { queryStringParameters: Object.fromEntries(url.searchParams) }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

export function startHttpServer(routes: Record<string, Route>, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size <= READ_LIMIT) chunks.push(chunk as Buffer);
    }
    if (size > READ_LIMIT) {
      res
        .writeHead(413, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'payload_too_large', message: 'Request body too large.' }));
      return;
    }
    const event = toHttpEvent(req, Buffer.concat(chunks));
    const route = routes[event.routeKey];
    if (!route) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'not_found', message: `No route for ${event.routeKey}` }));
      return;
    }
    try {
      const result = await route(event);
      const body = result.body ?? '';
      res
        .writeHead(result.statusCode ?? 200, result.headers as Record<string, string>)
        .end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
    } catch (error) {
      console.error(`${event.routeKey} failed:`, error);
      res
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'internal', message: 'Something went wrong on our side.' }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
