/**
 * Which table a CLI reads and writes: a deployed one (`--table`, `--region`, AWS credentials from the environment), or
 * the local one: a running `npm start`'s at http://127.0.0.1:${DYNAMODB_PORT:-8006}, or else the data it saved in
 * .nurture/dynamodb, opened with dynalite in this process. `npm run report` and `npm run privacy` share it.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { bad } from './cli.ts';

export const LOCAL_TABLE = 'nurture-local';
const LOCAL_DATA = '.nurture/dynamodb';

export interface Target {
  client: DynamoDBClient;
  table: string;
  description: string;
  /** A deployed table (in AWS), not this machine's. */
  deployed: boolean;
  close(): Promise<void>;
}

/** The options' checks: DynamoDB's rule for table names, and the shape of a region's name (us-east-1, us-gov-west-1). */
export const tableOption = z
  .string()
  .regex(/^[\w.-]{3,255}$/, { error: bad('is not a DynamoDB table name (3 to 255 letters, digits, _ - and .)') })
  .optional();
export const regionOption = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: bad('is not an AWS region, like us-east-1') })
  .optional();

export function deployedTarget(table: string, region: string | undefined): Target {
  const client = new DynamoDBClient({ ...(region && { region }) });
  return {
    client,
    table,
    deployed: true,
    description: `table ${table}${region ? ` in ${region}` : ''}`,
    close: async () => client.destroy(),
  };
}

/** The local table; undefined when `npm start` is not running and has saved nothing yet. */
export async function localTarget(): Promise<Target | undefined> {
  const port = Number(process.env.DYNAMODB_PORT ?? 8006);
  if (await listening('127.0.0.1', port)) {
    const endpoint = `http://127.0.0.1:${port}`;
    return {
      client: localClient(endpoint),
      table: LOCAL_TABLE,
      deployed: false,
      description: `table ${LOCAL_TABLE} at ${endpoint}, the running npm start`,
      close: async () => {},
    };
  }
  if (!existsSync(LOCAL_DATA)) return undefined;
  // `npm start` is not running: open the data it saved, in this process.
  const { startDynalite } = await import('./emulators.ts');
  const dynamo = await startDynalite({ dataDir: LOCAL_DATA });
  return {
    client: localClient(dynamo.endpoint),
    table: LOCAL_TABLE,
    deployed: false,
    description: `table ${LOCAL_TABLE} saved in ${LOCAL_DATA}`,
    close: dynamo.stop,
  };
}

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
