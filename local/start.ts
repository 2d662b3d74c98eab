/**
 * `npm start`: the whole service on this machine.
 *   --reset      start with an empty table and the clock at now
 *   --speed N    run the virtual clock N times faster (or CLOCK_SPEED=N)
 * Ports: PORT (API, 3000), SES_PORT (inbox, 8005), DYNAMODB_PORT (8006).
 */
import { z } from 'zod';
import { logger } from '../lambdas/adapters/log.ts';
import { bad, command } from './cli.ts';
import { progress } from './progress.ts';
import { LOCAL_BOOKING_SECRET } from './local-config.ts';

const USAGE = `usage: npm start [-- [--reset] [--speed N]]
  --reset      start with an empty table and the clock at now (the saved state in .nurture/ is dropped)
  --speed N    run the virtual clock N times faster than real time (default: CLOCK_SPEED, or 1)
  -h, --help   show this help
Ports: PORT (API, 3000), SES_PORT (inbox, 8005), DYNAMODB_PORT (8006).`;

const positive = z
  .string()
  .refine((value) => Number.isFinite(Number(value)) && Number(value) > 0, { error: bad('is not a positive number') });
const { values, fail } = command({
  name: 'start',
  usage: USAGE,
  options: { reset: { type: 'boolean', default: false }, speed: { type: 'string' } },
  schema: z.object({ reset: z.boolean(), speed: positive.transform(Number).optional() }),
});
const fromEnv = process.env.CLOCK_SPEED;
if (values.speed === undefined && fromEnv !== undefined && !positive.safeParse(fromEnv).success)
  fail(`CLOCK_SPEED: "${fromEnv}" is not a positive number`);
const speed = values.speed ?? Number(fromEnv ?? 1);
// Quieter than Lambda's default in a terminal; POWERTOOLS_LOG_LEVEL still wins.
if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');

// Usually ready in a few seconds; on a busy machine, say what it is waiting for.
const starting = progress('start', { quietFor: 2000 });
starting.step('starting DynamoDB (dynalite, data in .nurture/), the SES inbox and the API');
// Loaded after the options are read, so --help and a mistyped option answer at once.
const { startLocal } = await import('./runtime.ts');
const runtime = await startLocal({
  port: Number(process.env.PORT ?? 3000),
  sesPort: Number(process.env.SES_PORT ?? 8005),
  dynamoPort: Number(process.env.DYNAMODB_PORT ?? 8006),
  dataDir: '.nurture',
  reset: values.reset,
  speed,
  onDispatch: (report) => {
    const moved = report.sent + report.retry + report.rejected + report.unconfirmed + report.paused;
    if (moved > 0)
      console.log(
        `[${runtime.now().toISOString()}] dispatch: ${report.sent} sent, ${report.retry} to retry, ${report.rejected} rejected, ${report.unconfirmed} unconfirmed` +
          (report.pausedBy
            ? `; sending paused, SES refused for the account (${report.pausedBy.reason}: ${report.pausedBy.cause})`
            : ''),
      );
  },
});
starting.done('ready');

console.log(`
Nurture is running locally.

  Sign-up page      ${runtime.apiUrl}/
  Sign-up API       POST ${runtime.apiUrl}/signup
  Booking webhook   POST ${runtime.apiUrl}/booking  (signed with ${process.env.BOOKING_SECRET ? 'your BOOKING_SECRET' : `"${LOCAL_BOOKING_SECRET}"`})
  Inbox (SES)       ${runtime.inboxUrl}
  Report            ${runtime.apiUrl}/admin   (or npm run report)
  DynamoDB          ${runtime.dynamoEndpoint}  (table nurture-local, data in .nurture/)
  Virtual clock     ${runtime.now().toISOString()}, ${speed}x real time  (${runtime.apiUrl}/clock)

Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('\nStopping…');
    await runtime.stop();
    console.log('Stopped. State is kept in .nurture/ (use --reset to start clean).');
    process.exit(0);
  });
}
