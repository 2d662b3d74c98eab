/**
 * The SES endpoint of `ses-fault-endpoint.ts`, without faults, in a process of its own: for tests that judge when
 * requests reach SES. SES does not share the sender's event loop; an endpoint in the test's own process does, and
 * records a request late whenever the sender's work (rendering, say) holds that loop, so the gaps it sees between
 * requests are not the gaps on the wire. Started by `sesEndpointProcess` (below), with `SES_UPSTREAM` set to
 * aws-ses-v2-local's URL. Over IPC it sends `{ url }` once listening, and answers `'report'` with what it recorded:
 * ids, tags, outcomes and arrival times only (never an address or a message body).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { forwardChildOutput } from './privacy.ts';
import { startFaultEndpoint, type Outcome } from './ses-fault-endpoint.ts';

export interface EndpointReport {
  /** Every SendRawEmail request in arrival order; `arrivedAt` is the endpoint process's `performance.now()`. */
  requests: { key: string; attempt: number; tags: Record<string, string>; outcome: Outcome; arrivedAt: number }[];
  accepted: { key: string; tags: Record<string, string>; messageId: string }[];
}

export interface EndpointProcess {
  url: string;
  /** What the endpoint has recorded so far. */
  report(): Promise<EndpointReport>;
  /** Stop the endpoint's process. */
  stop(): Promise<void>;
}

/** Start the endpoint in a child process in front of `upstream` (aws-ses-v2-local's URL). */
export async function sesEndpointProcess(upstream: string): Promise<EndpointProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, SES_UPSTREAM: upstream },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  void forwardChildOutput(child); // its output goes through the privacy check too
  const exited = once(child, 'exit');
  const [{ url }] = (await Promise.race([
    once(child, 'message'),
    exited.then(() => Promise.reject(new Error('the SES endpoint process exited before listening'))),
  ])) as [{ url: string }];
  return {
    url,
    report: async () => {
      const answer = once(child, 'message');
      child.send('report');
      return ((await answer) as [EndpointReport])[0];
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

// Run as the child.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const endpoint = await startFaultEndpoint(process.env.SES_UPSTREAM!);
  const send = (message: unknown) => process.send!(message);
  process.on('message', (message) => {
    if (message !== 'report') return;
    send({
      requests: endpoint.requests.map(({ key, attempt, tags, outcome, arrivedAt }) => ({
        key,
        attempt,
        tags,
        outcome,
        arrivedAt,
      })),
      accepted: endpoint.accepted.map(({ key, tags, messageId }) => ({ key, tags, messageId })),
    } satisfies EndpointReport);
  });
  const stop = () => void endpoint.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  send({ url: endpoint.url });
}
