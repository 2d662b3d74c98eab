/** Runs the emulators in their own process, as AWS's services would run on other machines; prints their endpoints. */
import { startEmulators } from '../local/emulators.ts';

const emulators = await startEmulators();
process.stdout.write(`${JSON.stringify({ dynamoEndpoint: emulators.dynamoEndpoint, sesEndpoint: emulators.sesEndpoint })}\n`);
process.on('SIGTERM', async () => {
  await emulators.stop();
  process.exit(0);
});
