/**
 * `npm run report`: the per-step funnel and why leads left, as a table in the terminal.
 *   npm run report                                       the local table: a running `npm start`, or else its saved data
 *   npm run report -- --json                             the same report as JSON
 *   npm run report -- --table <name> --region <region>   a deployed table (AWS credentials from the environment)
 * Local: DynamoDB at http://127.0.0.1:${DYNAMODB_PORT:-8006}, table nurture-local; when nothing listens there, the
 * data `npm start` saved in .nurture/dynamodb is opened with dynalite directly.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoReportSource } from '../lambdas/adapters/dynamo-report-source.ts';
import { buildReport } from '../lambdas/domain/report.ts';
import { sequences } from '../emails/sequences.ts';
import { startDynalite } from './emulators.ts';
import { reportText } from './report-text.ts';

const USAGE = 'usage: npm run report [-- --json] [-- --table <name> --region <region>]';
const LOCAL_TABLE = 'nurture-local';
const LOCAL_DATA = '.nurture/dynamodb';

const args = parseArguments();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.region && !args.table) fail(`--region needs --table <name>\n${USAGE}`, 2);

const target = args.table ? deployed(args.table, args.region) : await local();
try {
  const input = await new DynamoReportSource(target.client, target.table).read();
  const report = buildReport(input, { now: new Date(), sequences });
  console.log(args.json ? JSON.stringify(report, null, 2) : reportText(report, target.description));
} catch (error) {
  if (error instanceof ResourceNotFoundException) fail(`Table ${target.table} does not exist${args.table ? '' : ' yet: start the service with `npm start` and sign up first'}.`);
  fail(`Could not read ${target.description}: ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  await target.close();
}

function parseArguments() {
  try {
    return parseArgs({ options: { json: { type: 'boolean', default: false }, table: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', default: false } } }).values;
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
}

interface Target {
  client: DynamoDBClient;
  table: string;
  description: string;
  close(): Promise<void>;
}

function deployed(table: string, region: string | undefined): Target {
  const client = new DynamoDBClient({ ...(region && { region }) });
  return { client, table, description: `table ${table}${region ? ` in ${region}` : ''}`, close: async () => client.destroy() };
}

async function local(): Promise<Target> {
  const port = Number(process.env.DYNAMODB_PORT ?? 8006);
  if (await listening('127.0.0.1', port)) {
    const endpoint = `http://127.0.0.1:${port}`;
    return { ...localClient(endpoint), description: `table ${LOCAL_TABLE} at ${endpoint}, the running npm start`, close: async () => {} };
  }
  if (!existsSync(LOCAL_DATA)) fail('Nothing to report yet: start the service with `npm start` and sign up first.');
  // `npm start` is not running: open the data it saved, in this process.
  const dynamo = await startDynalite({ dataDir: LOCAL_DATA });
  return { ...localClient(dynamo.endpoint), description: `table ${LOCAL_TABLE} saved in ${LOCAL_DATA}`, close: dynamo.stop };
}

function localClient(endpoint: string) {
  return { client: new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), table: LOCAL_TABLE };
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false));
  });
}

function fail(message: string, exitCode = 1): never {
  console.error(message);
  process.exit(exitCode);
}
