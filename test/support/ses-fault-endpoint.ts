/**
 * A fault-injecting SES endpoint for tests. It stands in front of aws-ses-v2-local and speaks SES's query API
 * over real HTTP, so the real `@aws-sdk/client-ses` sees what SES itself would answer:
 *
 *   throttle      400 `Throttling` "Maximum sending rate exceeded." (not forwarded)
 *   reject        400 `MessageRejected` "Address blacklisted." (not forwarded)
 *   server-error  500 `InternalFailure` (not forwarded)
 *   error         `{ error: fixture }`: any error SES documents, as test/fixtures/ses-errors.ts quotes it (status,
 *                 type, code, message; not forwarded): an unverified identity, a paused account, access denied...
 *   timeout       never answers (not forwarded): the client gives up
 *   drop          forwarded and accepted, then the connection is destroyed before the answer
 *   slow          forwarded and accepted, answered `ms` later (Infinity: never)
 *   held          `{ held: promise }`: forwarded and accepted, answered once the promise settles; with `answer`
 *                 (`{ held, answer: 'throttle' }`) not forwarded, and answered with that error once it settles
 *
 * Which request gets which fault is chosen by `rule` (for chosen messages or addresses) and else by `rates`, drawn
 * from a hash of (seed, the message's leadId/stepId tags, attempt number), not from arrival order. Concurrent
 * dispatchers reach it in a different order on every run, yet the same message on its same attempt always meets the
 * same fault, so a run is reproducible from its seed.
 *
 * `accepted` lists what aws-ses-v2-local took through this endpoint, with the time and tags: tests count sends
 * there, not in our own records. Everything other than SendRawEmail (the inbox's `/store`, GetSendQuota) passes
 * through untouched.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import addressparser from 'nodemailer/lib/addressparser';
import { errorResponseXml, type SesErrorFixture } from '../fixtures/ses-errors.ts';

export type Fault =
  | 'throttle'
  | 'reject'
  | 'server-error'
  | 'timeout'
  | 'drop'
  | { slow: number }
  | { held: Promise<unknown>; answer?: ErrorFault }
  | { error: SesErrorAnswer };

/** An error answer as SES sends it; `test/fixtures/ses-errors.ts` has AWS's documented ones. */
export type SesErrorAnswer = Pick<SesErrorFixture, 'status' | 'type' | 'code' | 'message'>;

type ErrorFault = 'throttle' | 'reject' | 'server-error';

export interface SesRequest {
  /** `leadId/stepId` from the message tags: what "the same message" means for attempts and seeded draws. */
  key: string;
  /** 0 for the first request of this message, 1 for its first retry, and so on. */
  attempt: number;
  /** Recipient addresses, lower case, from the raw message's To header. */
  to: string[];
  tags: Record<string, string>;
  configurationSet?: string;
  raw: Buffer;
}

export interface AcceptedMessage extends SesRequest {
  messageId: string;
  /** Wall-clock ms when aws-ses-v2-local accepted it. */
  at: number;
}

export interface FaultPlan {
  /** Chooses the draws; the same seed gives the same faults for the same messages. */
  seed?: string;
  /** Share of requests (0–1) answered with each fault, drawn per request. */
  rates?: Partial<Record<'throttle' | 'server-error' | 'timeout' | 'drop', number>>;
  /** A fault for a chosen request, checked before the rates; undefined leaves the request to them. */
  rule?: (request: SesRequest) => Fault | undefined;
}

/**
 * What became of a request. `upstream-error` is not a fault we injected: aws-ses-v2-local behind us failed or
 * answered with an error (it happens on a heavily loaded machine), so the client got a 5xx and retries, as it would
 * after any transient failure of SES.
 */
export type Outcome =
  'accepted' | 'throttle' | 'reject' | 'server-error' | 'error' | 'timeout' | 'drop' | 'slow' | 'upstream-error';

export interface FaultEndpoint {
  /** Give this to the SES client as its endpoint (`SES_ENDPOINT`). */
  url: string;
  accepted: AcceptedMessage[];
  /**
   * Every SendRawEmail request, with the outcome it met (and for `error`, the code answered) and `arrivedAt`
   * (`performance.now()` when its headers reached this endpoint, before its body was read), in arrival order.
   */
  requests: (SesRequest & { outcome: Outcome; error?: string; arrivedAt: number })[];
  /** How many requests met each outcome (`accepted` counts only plain passes; drop and slow were accepted too). */
  counts(): Record<Outcome, number>;
  /** Accepted messages for one lead. */
  acceptedFor(leadId: string): AcceptedMessage[];
  setPlan(plan: FaultPlan): void;
  /** Resolves when a SendRawEmail request that matches arrives (after its fault is chosen). */
  nextRequest(match?: (request: SesRequest) => boolean): Promise<FaultEndpoint['requests'][number]>;
  close(): Promise<void>;
}

const ERRORS = {
  throttle: { status: 400, type: 'Sender', code: 'Throttling', message: 'Maximum sending rate exceeded.' },
  reject: { status: 400, type: 'Sender', code: 'MessageRejected', message: 'Address blacklisted.' },
  'server-error': {
    status: 500,
    type: 'Receiver',
    code: 'InternalFailure',
    message: 'The request processing has failed because of an unknown error, exception or failure.',
  },
} as const;

function errorXml(fault: keyof typeof ERRORS): string {
  return errorResponseXml(ERRORS[fault], randomUUID());
}

/** A uniform draw in [0, 1) from the seed, the message and its attempt. */
function draw(seed: string, key: string, attempt: number): number {
  return createHash('sha256').update(`${seed}|${key}|${attempt}`).digest().readUInt32BE(0) / 2 ** 32;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Recipient addresses from the raw message's To header (only the header block is read: this runs per request). */
function recipients(raw: Buffer): string[] {
  const head = raw
    .subarray(0, raw.indexOf('\r\n\r\n'))
    .toString('utf8')
    .replace(/\r\n[ \t]+/g, ' ');
  const to = /^To: (.*)$/im.exec(head)?.[1] ?? '';
  return addressparser(to, { flatten: true }).map((entry) => entry.address.toLowerCase());
}

/** Start an endpoint in front of `upstream` (aws-ses-v2-local's URL). */
export async function startFaultEndpoint(upstream: string, initial: FaultPlan = {}): Promise<FaultEndpoint> {
  let plan = initial;
  const accepted: AcceptedMessage[] = [];
  const requests: FaultEndpoint['requests'] = [];
  const attempts = new Map<string, number>();
  const waiters: {
    match: (request: SesRequest) => boolean;
    resolve: (request: FaultEndpoint['requests'][number]) => void;
  }[] = [];
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const out = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        async (res) => {
          const answer = await readBody(res);
          const passed: Record<string, string> = {};
          for (const name of ['content-type']) if (res.headers[name]) passed[name] = String(res.headers[name]);
          resolve({ status: res.statusCode ?? 502, headers: passed, body: answer });
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const choose = (request: SesRequest): Fault | undefined => {
    const chosen = plan.rule?.(request);
    if (chosen) return chosen;
    let u = draw(plan.seed ?? 'seed', request.key, request.attempt);
    for (const [fault, rate] of Object.entries(plan.rates ?? {})) {
      if (u < rate) return fault as Fault;
      u -= rate;
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, arrivedAt: number) => {
    const body = await readBody(req);
    const form = new URLSearchParams(body.toString('utf8'));
    if (req.method !== 'POST' || form.get('Action') !== 'SendRawEmail') {
      const answer = await forward(req, body);
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }

    const raw = Buffer.from(form.get('RawMessage.Data') ?? '', 'base64');
    const tags: Record<string, string> = {};
    for (let i = 1; form.has(`Tags.member.${i}.Name`); i++)
      tags[form.get(`Tags.member.${i}.Name`)!] = form.get(`Tags.member.${i}.Value`) ?? '';
    const key = tags.leadId ? `${tags.leadId}/${tags.stepId}` : createHash('sha256').update(raw).digest('hex');
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const request: SesRequest = {
      key,
      attempt,
      to: recipients(raw),
      tags,
      raw,
      ...(form.get('ConfigurationSetName') && { configurationSet: form.get('ConfigurationSetName')! }),
    };

    const fault = choose(request);
    const outcome: Outcome =
      fault === undefined
        ? 'accepted'
        : typeof fault === 'object'
          ? 'error' in fault
            ? 'error'
            : 'answer' in fault && fault.answer
              ? fault.answer
              : 'slow'
          : fault;
    const recorded: FaultEndpoint['requests'][number] = {
      ...request,
      outcome,
      arrivedAt,
      ...(typeof fault === 'object' && 'error' in fault && { error: fault.error.code }),
    };
    requests.push(recorded);
    for (const waiter of waiters.filter((w) => w.match(request))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(recorded);
    }

    if (typeof fault === 'object' && 'held' in fault && fault.answer) {
      // Held without reaching SES, then refused: SES never had this message.
      await fault.held.catch(() => undefined);
      if (!res.destroyed)
        res.writeHead(ERRORS[fault.answer].status, { 'content-type': 'text/xml' }).end(errorXml(fault.answer));
      return;
    }
    if (typeof fault === 'object' && 'error' in fault) {
      res
        .writeHead(fault.error.status, { 'content-type': 'text/xml' })
        .end(errorResponseXml(fault.error, randomUUID()));
      return;
    }
    if (fault === 'throttle' || fault === 'reject' || fault === 'server-error') {
      res.writeHead(ERRORS[fault].status, { 'content-type': 'text/xml' }).end(errorXml(fault));
      return;
    }
    if (fault === 'timeout') return; // hold the request open; the client's timeout ends it

    const answer = await forward(req, body).catch((error: unknown) => {
      recorded.outcome = 'upstream-error';
      throw error;
    });
    if (answer.status !== 200 && outcome === 'accepted') recorded.outcome = 'upstream-error';
    const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(answer.body.toString('utf8'))?.[1];
    if (answer.status === 200 && messageId) accepted.push({ ...request, messageId, at: Date.now() });

    if (fault === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (typeof fault === 'object' && 'held' in fault) await fault.held.catch(() => undefined);
    else if (typeof fault === 'object') {
      if (!Number.isFinite(fault.slow)) return;
      await new Promise((resolve) => setTimeout(resolve, fault.slow));
    }
    if (!res.destroyed) res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res, performance.now()).catch((error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    accepted,
    requests,
    counts() {
      const counts: Record<Outcome, number> = {
        accepted: 0,
        throttle: 0,
        reject: 0,
        'server-error': 0,
        error: 0,
        timeout: 0,
        drop: 0,
        slow: 0,
        'upstream-error': 0,
      };
      for (const request of requests) counts[request.outcome]++;
      return counts;
    },
    acceptedFor: (leadId) => accepted.filter((message) => message.tags.leadId === leadId),
    setPlan(next) {
      plan = next;
    },
    nextRequest: (match = () => true) => new Promise((resolve) => waiters.push({ match, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
