/**
 * Which table a command works on, as `npm run report` and `npm run import` take it:
 *   (no option)                          the local table: a running `npm start`'s (DynamoDB on DYNAMODB_PORT, 8006),
 *                                        or else the data it saved in .nurture/dynamodb, opened with dynalite here
 *   --table NAME [--region REGION]       a deployed table (AWS credentials from the environment)
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { bad } from './cli.ts';

export const LOCAL_TABLE = 'nurture-local';
const LOCAL_DATA = '.nurture/dynamodb';
const LOCAL_CLOCK = '.nurture/clock.json';

/** The usage lines of the two options. */
export const TABLE_USAGE = `  --table NAME      a deployed table (AWS credentials from the environment)
  --region REGION   the deployed table's region (default: the AWS settings')`;

export const tableOptions = { table: { type: 'string' }, region: { type: 'string' } } as const;

/** DynamoDB's rule for table names, and the shape of a region's name (us-east-1, eu-central-1, us-gov-west-1). */
export const tableSchema = {
  table: z
    .string()
    .regex(/^[\w.-]{3,255}$/, { error: bad('is not a DynamoDB table name (3 to 255 letters, digits, _ - and .)') })
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: bad('is not an AWS region, like us-east-1') })
    .optional(),
};

/** `--secret-arn`: the stage's unsubscribe secret (with `--table`). */
export const secretArnSchema = z
  .string()
  .regex(/^arn:aws[\w-]*:secretsmanager:/, { error: bad('is not a Secrets Manager secret ARN') })
  .optional();

export interface TableTarget {
  client: DynamoDBClient;
  table: string;
  /** Set for a deployed table. */
  region?: string;
  /** Whether it is `npm start`'s table, whose clock is virtual (see `localNow`). */
  local: boolean;
  description: string;
  close(): Promise<void>;
}

/**
 * The table `--table` and `--region` name, or the local one. `missing`: what to say when there is no local data, or
 * `{ create: true }` to make the table there.
 */
export async function tableTarget(
  args: { table?: string | undefined; region?: string | undefined },
  { missing }: { missing: string | { create: true } },
): Promise<TableTarget> {
  return args.table ? deployed(args.table, args.region) : local(missing);
}

/** The local runtime's time: its virtual clock runs at or ahead of real time, and saves where it is. */
export function localNow(): Date {
  const saved = existsSync(LOCAL_CLOCK)
    ? Date.parse((JSON.parse(readFileSync(LOCAL_CLOCK, 'utf8')) as { now: string }).now)
    : NaN;
  return new Date(Math.max(Date.now(), Number.isNaN(saved) ? 0 : saved));
}

function deployed(table: string, region: string | undefined): TableTarget {
  const client = new DynamoDBClient({ ...(region && { region }) });
  return {
    client,
    table,
    ...(region && { region }),
    local: false,
    description: `table ${table}${region ? ` in ${region}` : ''}`,
    close: async () => client.destroy(),
  };
}

async function local(missing: string | { create: true }): Promise<TableTarget> {
  const port = Number(process.env.DYNAMODB_PORT ?? 8006);
  if (await listening('127.0.0.1', port)) {
    const endpoint = `http://127.0.0.1:${port}`;
    return {
      client: localClient(endpoint),
      table: LOCAL_TABLE,
      local: true,
      description: `table ${LOCAL_TABLE} at ${endpoint}, the running npm start`,
      close: async () => {},
    };
  }
  const create = typeof missing !== 'string';
  if (!create && !existsSync(LOCAL_DATA)) throw new TargetError(missing);
  // `npm start` is not running: open the data it saved (or will find), in this process.
  const [{ mkdirSync }, { startDynalite }, { ensureTable }] = await Promise.all([
    import('node:fs'),
    import('./emulators.ts'),
    import('./table.ts'),
  ]);
  mkdirSync(LOCAL_DATA, { recursive: true });
  const dynamo = await startDynalite({ dataDir: LOCAL_DATA });
  const client = localClient(dynamo.endpoint);
  if (create) await ensureTable(client, LOCAL_TABLE);
  return {
    client,
    table: LOCAL_TABLE,
    local: true,
    description: `table ${LOCAL_TABLE} saved in ${LOCAL_DATA}`,
    close: dynamo.stop,
  };
}

/**
 * The unsubscribe secret, which also keys the erased-address hash: the local config's, or the stage's from Secrets
 * Manager (the stack's `UnsubscribeSecretArn` output).
 */
export async function unsubscribeSecret(target: TableTarget, arn: string | undefined): Promise<string> {
  if (target.local) {
    const { localConfig } = await import('./local-config.ts');
    const secret = localConfig().UNSUBSCRIBE_SECRET;
    if (!secret) throw new Error('the local config has no UNSUBSCRIBE_SECRET');
    return secret;
  }
  // A script that already holds the secret's value (as the tests do: there is no Secrets Manager emulator).
  if (process.env.UNSUBSCRIBE_SECRET) return process.env.UNSUBSCRIBE_SECRET;
  if (!arn) throw new Error('no secret ARN (--secret-arn)');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: await target.client.config.region() });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString || SecretString.length < 32) throw new Error('the unsubscribe secret is empty or too short');
    return SecretString;
  } finally {
    client.destroy();
  }
}

/** No local table to work on: the message says what to do. */
export class TargetError extends Error {}

function localClient(endpoint: string) {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket
      .once('connect', () => done(true))
      .once('error', () => done(false))
      .once('timeout', () => done(false));
  });
}
