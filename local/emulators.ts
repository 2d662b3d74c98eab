/**
 * The two emulators: dynalite (DynamoDB API, in this process) and aws-ses-v2-local (SES API and inbox viewer).
 * The fidelity tests swap dynalite for AWS's DynamoDB Local (Java, its own process). The handlers only ever see
 * their endpoints.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import sesLocalModule from 'aws-ses-v2-local';
import { startDynamoDbLocal } from './dynamodb-local.ts';

// aws-ses-v2-local is CommonJS with an `exports.default`: Node's ESM loader wraps it once more than bundlers do.
const sesLocal = (sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule;

/** dynalite runs in-process with no Java; DynamoDB Local is AWS's own emulator. */
export type DynamoBackend = 'dynalite' | 'dynamodb-local';

export interface Emulators {
  dynamoBackend: DynamoBackend;
  dynamoEndpoint: string;
  sesEndpoint: string;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Start both. Port 0 picks a free port. `dataDir` makes dynalite's state survive a restart;
 * without it the data lives in memory. DynamoDB Local always runs in memory, on a free port.
 */
export async function startEmulators({
  dynamoBackend = 'dynalite',
  dynamoPort = 0,
  sesPort = 0,
  dataDir,
  host = '127.0.0.1',
}: {
  dynamoBackend?: DynamoBackend;
  dynamoPort?: number;
  sesPort?: number;
  dataDir?: string;
  host?: string;
} = {}): Promise<Emulators> {
  const dynamo =
    dynamoBackend === 'dynalite'
      ? await startDynalite({ port: dynamoPort, host, ...(dataDir && { dataDir }) })
      : await startDynamoDbLocal({ host });
  const ses = await sesLocal({ host, port: sesPort });
  const sesBound = (ses.address() as AddressInfo).port;
  return {
    dynamoBackend,
    dynamoEndpoint: dynamo.endpoint,
    sesEndpoint: `http://${host}:${sesBound}`,
    stop: async () => {
      ses.closeAllConnections?.();
      await Promise.all([close(ses), dynamo.stop()]);
    },
  };
}

/** dynalite alone, on `port` (0: a free one), its data in `dataDir` or in memory. */
export async function startDynalite({
  port = 0,
  host = '127.0.0.1',
  dataDir,
}: {
  port?: number;
  host?: string;
  dataDir?: string;
}) {
  const server: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dataDir && { path: dataDir }),
  });
  const bound = await listen(server, port, host);
  return {
    endpoint: `http://${host}:${bound}`,
    stop: () => {
      server.closeAllConnections?.();
      return close(server);
    },
  };
}
