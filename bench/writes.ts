/**
 * `npm run bench -- --only writes`: what one email costs in DynamoDB write units, AWS SDK calls and runtime CPU,
 * over whole sequences. `leads` leads sign up through the real sign-up handler; every step of the nurture is
 * dispatched on a virtual clock (each run at the next due time); and every message sent gets the SES events AWS would
 * publish, posted through the real SES-events handler: Send and Delivery for each, an Open for about 30% and a Click
 * for about 5% (chosen by a hash of the message, so every run meets the same ones), an hour after the send.
 *
 * The events reach the handler as Lambda's SQS event source hands them over (`SES_EVENT_BATCH`): in time order, a
 * batch holding the events that arrive within the batching window of its first, up to its size, whatever their lead.
 * The report's counters are written once per batch, so what they cost depends on how many events share a batch: the
 * whole run is measured twice, with those batches and with one event per batch (the low-volume worst case, and what
 * each event cost when EventBridge invoked the function with each).
 *
 * How it counts: a middleware on the service's DynamoDB client sets `ReturnConsumedCapacity: 'INDEXES'` on every
 * write (so the stores need not know) and sums what DynamoDB reports, the table and the due index apart; a write
 * refused by its condition reports nothing, and is counted as the 1 write unit DynamoDB charges for it. Another
 * middleware counts calls (DynamoDB and SES). Runtime CPU is `process.cpuUsage()` around the runtime's own work
 * (the handlers and the dispatcher), not the bench's bookkeeping. It runs against AWS's DynamoDB Local when Java is
 * there, which reports the due index's share as AWS does; dynalite reports the table's units only (it says so).
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { dynamoClient, sesClient } from '../lambdas/adapters/clients.ts';
import { resolveSecrets } from '../lambdas/adapters/secrets.ts';
import { composeService } from '../lambdas/compose.ts';
import { loadConfig } from '../lambdas/config.ts';
import { DUE_INDEX, KEY_PREFIX, SES_EVENT_BATCH } from '../lambdas/contract.ts';
import { dispatchDue } from '../lambdas/domain/dispatch.ts';
import type { Clock, Mailer, OutgoingEmail, Renderer } from '../lambdas/domain/ports.ts';
import { makeSesEventsRecorder } from '../lambdas/handlers/ses-events.ts';
import { makeSignupHandler } from '../lambdas/handlers/signup.ts';
import { sesEventFor } from '../local/engagement-feed.ts';
import { findDynamoDbLocal, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import type { Progress } from '../local/progress.ts';
import { sqsEvent } from '../local/sqs-batch.ts';
import { ensureTable } from '../local/table.ts';

/** Where the runtime's work is when a call is made: signing up, sending, or recording SES events. */
type Phase = 'signup' | 'send' | 'events';
const PHASES: readonly Phase[] = ['signup', 'send', 'events'];

interface Tally {
  calls: Record<string, number>;
  tableUnits: number;
  indexUnits: number;
  refusedWrites: number;
  /** Of the above, the report's counters' own (`domain/counting.ts`): their calls, and the write units of theirs. */
  counterCalls: number;
  counterUnits: number;
}

/**
 * A call on the report's counters' items (COUNT#report), a recount's write of a lead's `counted` (named `#counted`), or a
 * lead's recount Query. What the lead's own writes carry (`counted` in its Put and in the settle that ends it) is theirs.
 */
function forCounters(input: Record<string, unknown>): boolean {
  const text = (value: unknown) =>
    typeof value === 'object' && value !== null && 'S' in value ? String(value.S) : String(value);
  const key = input.Key as { pk?: unknown; sk?: unknown } | undefined;
  if (key && text(key.pk).startsWith(KEY_PREFIX.counter)) return true;
  return Object.values((input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {}).includes(
    'counted',
  );
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** Counts calls and write units per phase on a DynamoDB client and an SES client. */
export class Meter {
  phase: Phase = 'signup';
  readonly tallies: Record<Phase, Tally> = {
    signup: emptyTally(),
    send: emptyTally(),
    events: emptyTally(),
  };
  indexReported = false;

  watchDynamo(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const tally = this.tallies[this.phase];
        const name = context.commandName ?? 'unknown';
        tally.calls[name] = (tally.calls[name] ?? 0) + 1;
        const counter = forCounters(args.input as Record<string, unknown>);
        if (counter) tally.counterCalls++;
        if (!WRITES.has(name)) return next(args);
        const input = { ...args.input, ReturnConsumedCapacity: 'INDEXES' };
        try {
          const result = await next({ ...args, input });
          const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
          for (const capacity of [consumed ?? []].flat()) this.add(tally, capacity, counter);
          return result;
        } catch (error) {
          // DynamoDB charges a write refused by its condition as one write unit, and says nothing of it.
          if (error instanceof ConditionalCheckFailedException) {
            tally.refusedWrites++;
            tally.tableUnits++;
            if (counter) tally.counterUnits++;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'benchMeter' },
    );
  }

  watchSes(client: SESClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const tally = this.tallies[this.phase];
        const name = `SES ${context.commandName ?? 'unknown'}`;
        tally.calls[name] = (tally.calls[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchMeter' },
    );
  }

  private add(tally: Tally, capacity: Capacity, counter: boolean) {
    const table = capacity.Table?.CapacityUnits ?? capacity.CapacityUnits ?? 0;
    const indexes = Object.values(capacity.GlobalSecondaryIndexes ?? {}).reduce(
      (sum, index) => sum + (index.CapacityUnits ?? 0),
      0,
    );
    if (capacity.GlobalSecondaryIndexes) this.indexReported = true;
    tally.tableUnits += table;
    tally.indexUnits += indexes;
    if (counter) tally.counterUnits += table + indexes;
  }
}

type Capacity = {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};

function emptyTally(): Tally {
  return { calls: {}, tableUnits: 0, indexUnits: 0, refusedWrites: 0, counterCalls: 0, counterUnits: 0 };
}

/** A fraction in [0, 1) drawn from a message id: the same message always draws the same. */
const draw = (messageId: string, salt: string) =>
  createHash('sha256').update(`${salt}:${messageId}`).digest().readUInt32BE(0) / 2 ** 32;

export interface WritesOptions {
  env: Record<string, string>;
  sesEndpoint: string;
  leads: number;
  progress: Progress;
}

/** How the SES events reach the handler: as SQS batches them (`SES_EVENT_BATCH`), or each in a batch of its own. */
type Batching = 'sqs' | 'one';

export async function writesPerEmail({ env, sesEndpoint, leads, progress }: WritesOptions) {
  const local = 'missing' in findDynamoDbLocal() ? undefined : await startDynamoDbLocal();
  const dynamoEndpoint = local?.endpoint ?? env.DYNAMODB_ENDPOINT!;
  const backend = local ? 'DynamoDB Local' : 'dynalite';
  try {
    const options = { env, sesEndpoint, leads, progress, dynamoEndpoint, backend };
    const batched = await writesOnePass(options, 'sqs');
    const single = await writesOnePass(options, 'one');
    return {
      ...batched,
      /** The same run with each SES event in a batch of its own: what low volume (or no batching) costs. */
      oneEventPerBatch: {
        writeUnitsPerEmail: single.writeUnitsPerEmail,
        counterCallsPerEmail: single.counterCallsPerEmail,
        eventBatches: single.eventBatches,
      },
    };
  } finally {
    await local?.stop();
  }
}

async function writesOnePass(
  {
    env,
    sesEndpoint,
    leads,
    progress,
    dynamoEndpoint,
    backend,
  }: WritesOptions & { dynamoEndpoint: string; backend: string },
  batching: Batching,
) {
  const describe =
    batching === 'sqs'
      ? `SES events in batches of up to ${SES_EVENT_BATCH.maxRecords} within ${SES_EVENT_BATCH.windowSeconds} s`
      : 'one SES event per batch';
  progress.step(`writes: on ${backend}, ${leads} leads, ${describe}`);
  const config = await resolveSecrets(
    loadConfig({
      ...env,
      DYNAMODB_ENDPOINT: dynamoEndpoint,
      SES_ENDPOINT: sesEndpoint,
      TABLE_NAME: `bench-writes-${batching}`,
    }),
  );
  const setupClient = dynamoClient(config);
  await ensureTable(setupClient, config.TABLE_NAME);

  const meter = new Meter();
  const dynamo = dynamoClient(config);
  meter.watchDynamo(dynamo);
  const ses = sesClient(config);
  meter.watchSes(ses);
  let now = new Date('2026-03-02T14:00:00Z'); // 9:00 in New York: the send window is open
  const clock: Clock = { now: () => new Date(now) };
  const wiring = composeService(config, { clock, dynamo, ses, sendRate: 1_000_000 });

  // Every message SES accepted, for its events after the run that sent it.
  const sent: { messageId: string; tags: OutgoingEmail['tags']; at: Date }[] = [];
  const mailer: Mailer = {
    async send(email) {
      const outcome = await wiring.dispatch.mailer.send(email);
      if (outcome.kind === 'sent') sent.push({ messageId: outcome.messageId, tags: email.tags, at: clock.now() });
      return outcome;
    },
  };
  // Rendering apart: react-email's render is most of the CPU, and not what fewer writes and calls can cut.
  let renderMicros = 0;
  const renderer: Renderer = {
    async render(...args) {
      const started = process.cpuUsage();
      try {
        return await wiring.dispatch.renderer.render(...args);
      } finally {
        const used = process.cpuUsage(started);
        renderMicros += used.user + used.system;
      }
    },
  };
  const dispatch = { ...wiring.dispatch, mailer, renderer };
  // Sign-up's own writes (the lead, its address) apart from its welcome's, which count as a send.
  const signupStore = new Proxy(wiring.store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        meter.phase = property === 'create' || property === 'leadIdForEmail' ? 'signup' : 'send';
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const signup = makeSignupHandler({ ...wiring, dispatch: { ...dispatch, store: signupStore } });
  const recordBatch = makeSesEventsRecorder(wiring);

  let cpuMicros = 0;
  const runtime = async <T>(work: () => Promise<T>): Promise<T> => {
    const started = process.cpuUsage();
    try {
      return await work();
    } finally {
      const used = process.cpuUsage(started);
      cpuMicros += used.user + used.system;
    }
  };

  for (let i = 0; i < leads; i++) {
    meter.phase = 'signup';
    const body = JSON.stringify({
      email: `writes-${i}-${ulid().toLowerCase()}@example.com`,
      firstName: 'Bench',
      consent: true,
      timeZone: 'America/New_York',
    });
    const result = await runtime(() =>
      signup({
        version: '2.0',
        routeKey: 'POST /signup',
        rawPath: '/signup',
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        body,
        isBase64Encoded: false,
        requestContext: { http: { method: 'POST', path: '/signup', sourceIp: '127.0.0.1' } },
      } as unknown as Parameters<typeof signup>[0]),
    );
    if (result.statusCode !== 201) throw new Error(`sign-up answered ${result.statusCode}`);
    progress.count('writes: sign-ups', i + 1, leads);
  }

  const eventBatches = { batches: 0, events: 0 };
  const postEvents = async () => {
    meter.phase = 'events';
    const events = sent.splice(0).flatMap((message) => {
      const at = (seconds: number) => new Date(message.at.getTime() + seconds * 1000);
      return [
        sesEventFor('Send', message.messageId, message.tags, at(0)),
        sesEventFor('Delivery', message.messageId, message.tags, at(2)),
        ...(draw(message.messageId, 'open') < 0.3
          ? [sesEventFor('Open', message.messageId, message.tags, at(3600), {}, message.at)]
          : []),
        ...(draw(message.messageId, 'click') < 0.05
          ? [
              sesEventFor(
                'Click',
                message.messageId,
                message.tags,
                at(3660),
                { link: 'https://clinic.example/book' },
                message.at,
              ),
            ]
          : []),
      ];
    });
    for (const batch of inBatches(events, batching)) {
      const { response } = await runtime(() => recordBatch(sqsEvent(batch)));
      if (response.batchItemFailures.length > 0) throw new Error('the SES-events handler failed a record');
      eventBatches.batches++;
      eventBatches.events += batch.length;
    }
  };
  // The welcomes' events, then each run at the next due time with the events of what it sent.
  const emails = { count: 0 };
  emails.count += sent.length;
  await postEvents();
  const nextDue = async () => {
    let earliest: number | undefined;
    for (let shard = 0; shard < config.DUE_SHARDS; shard++) {
      const page = await setupClient.send(
        new QueryCommand({
          TableName: config.TABLE_NAME,
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'dueShard = :shard',
          ExpressionAttributeValues: { ':shard': { N: String(shard) } },
          Limit: 1,
        }),
      );
      const dueAt = page.Items?.[0]?.dueAt?.N;
      if (dueAt !== undefined) earliest = Math.min(earliest ?? Infinity, Number(dueAt));
    }
    return earliest;
  };
  let runs = 0;
  for (let due = await nextDue(); due !== undefined; due = await nextDue()) {
    now = new Date(Math.max(now.getTime(), due));
    meter.phase = 'send';
    const report = await runtime(() => dispatchDue(dispatch));
    runs++;
    emails.count += sent.length;
    progress.step(`writes: run ${runs} at ${now.toISOString()}: ${report.sent} sent, ${emails.count} in all`);
    await postEvents();
    if (runs > 200) throw new Error('the sequences did not finish in 200 runs');
  }

  // The lead items at the end of their sequences, by DynamoDB's own size rules: a write to an item over 1 KB costs
  // two units.
  const scanned = await setupClient.send(new ScanCommand({ TableName: config.TABLE_NAME }));
  const sizes = (scanned.Items ?? [])
    .filter((item) => item.sk?.S === 'PROFILE')
    .map((item) => itemBytes(item))
    .sort((a, b) => a - b);
  const leadItemBytes = { median: sizes[Math.floor(sizes.length / 2)] ?? 0, max: sizes.at(-1) ?? 0 };
  return {
    ...summarise(meter, emails.count, leads, runs, cpuMicros / 1000, renderMicros / 1000, backend),
    leadItemBytes,
    /** How the SES events were delivered: the batch settings, how many batches, and events per batch on average. */
    eventBatches: {
      ...(batching === 'sqs' ? SES_EVENT_BATCH : { maxRecords: 1, windowSeconds: 0 }),
      batches: eventBatches.batches,
      eventsPerBatch: round(eventBatches.events / Math.max(1, eventBatches.batches)),
    },
  };
}

/**
 * Events as Lambda's SQS event source would hand them over: in time order, each batch the events that arrive within
 * the batching window of its first, up to the batch size; or each on its own.
 */
function inBatches<E extends { time: string }>(events: E[], batching: Batching): E[][] {
  if (batching === 'one') return events.map((event) => [event]);
  const sorted = [...events].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const batches: E[][] = [];
  for (const event of sorted) {
    const current = batches.at(-1);
    const fits =
      current !== undefined &&
      current.length < SES_EVENT_BATCH.maxRecords &&
      Date.parse(event.time) - Date.parse(current[0]!.time) < SES_EVENT_BATCH.windowSeconds * 1000;
    if (fits) current.push(event);
    else batches.push([event]);
  }
  return batches;
}

const round = (n: number) => Math.round(n * 100) / 100;

function summarise(
  meter: Meter,
  emails: number,
  leads: number,
  runs: number,
  cpuMs: number,
  renderMs: number,
  backend: string,
) {
  const per = (n: number) => round(n / emails);
  const phase = (tally: Tally) => ({
    writeUnitsPerEmail: { table: per(tally.tableUnits), index: per(tally.indexUnits) },
    callsPerEmail: per(Object.values(tally.calls).reduce((a, b) => a + b, 0)),
    counters: { writeUnitsPerEmail: per(tally.counterUnits), callsPerEmail: per(tally.counterCalls) },
    refusedWrites: tally.refusedWrites,
    calls: tally.calls,
  });
  const phases = {
    signup: phase(meter.tallies.signup),
    send: phase(meter.tallies.send),
    events: phase(meter.tallies.events),
  };
  const sum = (pick: (tally: Tally) => number) =>
    PHASES.reduce((total, phase) => total + pick(meter.tallies[phase]), 0);
  const sendCalls = Object.values(meter.tallies.send.calls).reduce((a, b) => a + b, 0);
  const signupCalls = Object.values(meter.tallies.signup.calls).reduce((a, b) => a + b, 0);
  return {
    backend,
    indexUnitsReported: meter.indexReported,
    leads,
    emails,
    dispatchRuns: runs,
    writeUnitsPerEmail: {
      table: per(sum((t) => t.tableUnits)),
      index: per(sum((t) => t.indexUnits)),
      total: per(sum((t) => t.tableUnits + t.indexUnits)),
      /** Of the total, what the report's counters write (`domain/counting.ts`). */
      counters: per(sum((t) => t.counterUnits)),
    },
    /** Of the calls, the report's counters' own (their writes, and a lead's recount Query), per email. */
    counterCallsPerEmail: per(sum((t) => t.counterCalls)),
    /** The send path: the dispatcher's calls and the welcomes' (sign-up's own writes apart), per email. */
    sendCallsPerEmail: per(sendCalls),
    signupCallsPerLead: round(signupCalls / leads),
    callsPerEmailWithEvents: per(sum((t) => Object.values(t.calls).reduce((a, b) => a + b, 0))),
    cpuMsPerEmail: round(cpuMs / emails),
    /** Of which rendering the email (react-email). */
    renderCpuMsPerEmail: round(renderMs / emails),
    phases,
  };
}

/** An item's size as DynamoDB counts it: names and values in bytes, numbers by their digits, lists and maps with their overhead. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + Math.ceil(n.length / 2) + 1, 0);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M) return 3 + Object.keys(value.M).length + itemBytes(value.M);
  return 0;
}
