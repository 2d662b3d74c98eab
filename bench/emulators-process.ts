/**
 * Runs the emulators in their own process, as AWS's services would run on other machines; prints their endpoints,
 * then answers each `cpu` line on stdin with the CPU time it has used so far.
 */
import { createInterface } from 'node:readline';
import { startEmulators } from '../local/emulators.ts';

const emulators = await startEmulators();
process.stdout.write(
  `${JSON.stringify({ dynamoEndpoint: emulators.dynamoEndpoint, sesEndpoint: emulators.sesEndpoint })}\n`,
);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
});
process.on('SIGTERM', async () => {
  await emulators.stop();
  process.exit(0);
});
