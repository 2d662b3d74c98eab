/**
 * AWS's own DynamoDB Local (the jar shipped inside the `amplify-dynamodb-simulator` npm package), run with Java
 * in its own process, in memory, on a free port. Used for the second, fidelity pass of the integration tests;
 * `npm start` stays on dynalite so it needs no Java.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { once } from 'node:events';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Where the jar and its native libraries are, or why DynamoDB Local cannot run here. */
export function findDynamoDbLocal(): { jar: string; libDir: string } | { missing: string } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0)
    return { missing: 'Java is not installed (`java` is not on PATH); DynamoDB Local needs Java 17 or newer' };
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json'));
  } catch {
    return { missing: 'the amplify-dynamodb-simulator package is not installed (run npm install)' };
  }
  const jar = join(packageDir, 'emulator', 'DynamoDBLocal.jar');
  if (!existsSync(jar)) return { missing: `DynamoDB Local's jar is not at ${jar}` };
  return { jar, libDir: join(packageDir, 'emulator', 'DynamoDBLocal_lib') };
}

/** Start DynamoDB Local in memory on a free port and return once it answers requests. */
export async function startDynamoDbLocal({ host = '127.0.0.1', startTimeoutMs = 30_000 } = {}): Promise<DynamoDbLocal> {
  const found = findDynamoDbLocal();
  if ('missing' in found) throw new Error(`DynamoDB Local cannot start: ${found.missing}`);
  const port = await freePort(host);
  // -sharedDb: one database whatever the credentials and region; -disableTelemetry: tests have no internet.
  // TieredStopAtLevel=1 (the quick JIT only) starts faster and runs a short test pass about 20% sooner.
  const child = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${found.libDir}`,
      '-jar',
      found.jar,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    {
      cwd: dirname(found.jar),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // If this process ends without stopping it (a crash, process.exit), take Java down with it.
  const orphanGuard = () => void child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const endpoint = `http://${host}:${port}`;
  try {
    await waitUntilServing(endpoint, child, startTimeoutMs);
  } catch (error) {
    await stopProcess(child);
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}\n${output}`, { cause: error });
  }
  return {
    endpoint,
    stop: async () => {
      process.off('exit', orphanGuard);
      await stopProcess(child);
    },
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Poll with a real (if unsigned-looking) ListTables call until Jetty answers it. */
async function waitUntilServing(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`java exited with ${child.exitCode}`);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      });
      await response.text();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
