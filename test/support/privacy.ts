/**
 * The privacy check: logs and SES message tags carry ids, never a lead's email address, name, phone or interest.
 *
 * `installCapture()` watches one test process: every write to stdout and stderr (Powertools' logger writes there),
 * every console call, the Tags of every SES send, and every lead item written through the DynamoDB document client
 * (whose personal fields are what the check looks for). The clients are observed, not replaced: each wrapped
 * `send` records and then calls the original. `test/support/privacy-setup.ts` fails a test file that leaked.
 * A child process's output is not this process's: a test that spawns one passes it through `forwardChildOutput`.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { format } from 'node:util';
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';

export interface Person {
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  interest?: string;
}

export interface Captured {
  source: 'stdout' | 'stderr' | 'console' | 'ses-tag';
  text: string;
}

export interface Leak {
  field: keyof Person;
  value: string;
  source: Captured['source'];
  text: string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whole words only, so "Sam" is not found in "sampling_rate"; Unicode-aware word edges. */
const word = (value: string, flags = '') =>
  new RegExp(`(?<![\\p{L}\\p{N}_])${escape(value)}(?![\\p{L}\\p{N}_])`, `u${flags}`);

/** How each personal field is looked for. Values too short to tell apart from ordinary text are skipped. */
function patterns(person: Person): { field: keyof Person; value: string; pattern: RegExp }[] {
  const found: { field: keyof Person; value: string; pattern: RegExp }[] = [];
  const email = person.email?.trim();
  if (email && email.includes('@')) {
    found.push({
      field: 'email',
      value: email,
      pattern: new RegExp(`${escape(email)}|${escape(encodeURIComponent(email))}`, 'i'),
    });
  }
  for (const field of ['firstName', 'lastName'] as const) {
    const name = person[field]?.trim();
    if (name && name.length >= 3) found.push({ field, value: name, pattern: word(name) });
  }
  const phone = person.phone?.trim();
  const digits = phone?.replace(/\D/g, '') ?? '';
  if (phone && digits.length >= 7)
    found.push({ field: 'phone', value: phone, pattern: new RegExp(`${escape(phone)}|(?<!\\d)${digits}(?!\\d)`) });
  // "other" names no condition; every other interest does.
  if (person.interest && person.interest !== 'other')
    found.push({ field: 'interest', value: person.interest, pattern: word(person.interest, 'i') });
  return found;
}

/** Every captured text that contains any person's personal data. */
export function findLeaks(captured: readonly Captured[], people: Iterable<Person>): Leak[] {
  const all = [...people].flatMap(patterns);
  const leaks: Leak[] = [];
  for (const { source, text } of captured) {
    for (const { field, value, pattern } of all) if (pattern.test(text)) leaks.push({ field, value, source, text });
  }
  return leaks;
}

export interface Capture {
  captured: Captured[];
  people: Person[];
  leaks(): Leak[];
  /** Forget what was captured so far (each test file starts clean). */
  reset(): void;
}

const KEY = Symbol.for('nurture.privacy-capture');

function personOf(item: Record<string, unknown> | undefined): Person | undefined {
  if (!item || item.type !== 'lead') return undefined;
  const text = (key: string) => (typeof item[key] === 'string' ? item[key] : undefined);
  return {
    email: text('email'),
    firstName: text('firstName'),
    lastName: text('lastName'),
    phone: text('phone'),
    interest: text('interest'),
  };
}

/** Start watching this process (once; later calls return the same capture). */
export function installCapture(): Capture {
  const global = globalThis as { [KEY]?: Capture };
  if (global[KEY]) return global[KEY];

  const capture: Capture = {
    captured: [],
    people: [],
    leaks: () => findLeaks(capture.captured, capture.people),
    reset() {
      capture.captured.length = 0;
      capture.people.length = 0;
    },
  };
  const keep = (source: Captured['source'], text: string) => capture.captured.push({ source, text });

  for (const source of ['stdout', 'stderr'] as const) {
    const stream = process[source];
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      keep(source, Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return write(chunk, ...rest);
    };
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      keep('console', format(...args));
      original(...args);
    };
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with the patched client as `this`
  const sesSend = SESClient.prototype.send;
  SESClient.prototype.send = function (
    this: SESClient,
    command: { input?: { Tags?: { Name?: string; Value?: string }[] } },
    ...rest: unknown[]
  ) {
    if (command instanceof SendRawEmailCommand || command instanceof SendEmailCommand) {
      for (const tag of command.input?.Tags ?? []) keep('ses-tag', `${tag.Name}=${tag.Value}`);
    }
    return (sesSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof sesSend;

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with the patched client as `this`
  const docSend = DynamoDBDocumentClient.prototype.send;
  DynamoDBDocumentClient.prototype.send = function (
    this: DynamoDBDocumentClient,
    command: unknown,
    ...rest: unknown[]
  ) {
    const items =
      command instanceof PutCommand
        ? [command.input.Item]
        : command instanceof BatchWriteCommand
          ? Object.values(command.input.RequestItems ?? {}).flatMap((requests) =>
              requests.map((request) => request.PutRequest?.Item),
            )
          : [];
    for (const item of items) {
      const person = personOf(item);
      if (person) capture.people.push(person);
    }
    return (docSend as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof docSend;

  global[KEY] = capture;
  return capture;
}

/**
 * Write a child process's stdout and stderr (spawned as pipes) through this process's own, line by line, so the
 * privacy check reads the child's logs as well. Resolves once both have ended.
 */
export async function forwardChildOutput(child: ChildProcess): Promise<void> {
  await Promise.all(
    (['stdout', 'stderr'] as const).map((source) => {
      const lines = createInterface({ input: child[source]! });
      lines.on('line', (line) => process[source].write(`${line}\n`));
      return once(lines, 'close');
    }),
  );
}
