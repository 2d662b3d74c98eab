/**
 * The two emulators, in this process: dynalite (DynamoDB API) and aws-ses-v2-local (SES API and inbox viewer).
 * The handlers only ever see their endpoints.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import sesLocalModule from 'aws-ses-v2-local';

// aws-ses-v2-local is CommonJS with an `exports.default`: Node's ESM loader wraps it once more than bundlers do.
const sesLocal = ((sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule) as typeof sesLocalModule;

export interface Emulators {
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
 * Start both. Port 0 picks a free port. `dataDir` makes DynamoDB state survive a restart;
 * without it the data lives in memory.
 */
export async function startEmulators({ dynamoPort = 0, sesPort = 0, dataDir, host = '127.0.0.1' }: { dynamoPort?: number; sesPort?: number; dataDir?: string; host?: string } = {}): Promise<Emulators> {
  const dynamo: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir && { path: dataDir }) });
  const dynamoBound = await listen(dynamo, dynamoPort, host);
  const ses = await sesLocal({ host, port: sesPort });
  const sesBound = (ses.address() as AddressInfo).port;
  return {
    dynamoEndpoint: `http://${host}:${dynamoBound}`,
    sesEndpoint: `http://${host}:${sesBound}`,
    stop: async () => {
      ses.closeAllConnections?.();
      dynamo.closeAllConnections?.();
      await Promise.all([close(ses), close(dynamo)]);
    },
  };
}
