/**
 * `npm start`: the whole service on this machine.
 *   --reset      start with an empty table and the clock at now
 *   --speed N    run the virtual clock N times faster (or CLOCK_SPEED=N)
 * Ports: PORT (API, 3000), SES_PORT (inbox, 8005), DYNAMODB_PORT (8006).
 */
import { parseArgs } from 'node:util';
import { logger } from '../lambdas/adapters/log.ts';
import { LOCAL_BOOKING_SECRET } from './local-config.ts';
import { startLocal } from './runtime.ts';

const { values } = parseArgs({
  options: { reset: { type: 'boolean', default: false }, speed: { type: 'string' } },
});

const speed = Number(values.speed ?? process.env.CLOCK_SPEED ?? 1);
if (!Number.isFinite(speed) || speed <= 0) {
  console.error(`--speed must be a positive number, got ${values.speed ?? process.env.CLOCK_SPEED}`);
  process.exit(2);
}
// Quieter than Lambda's default in a terminal; POWERTOOLS_LOG_LEVEL still wins.
if (!process.env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');

const runtime = await startLocal({
  port: Number(process.env.PORT ?? 3000),
  sesPort: Number(process.env.SES_PORT ?? 8005),
  dynamoPort: Number(process.env.DYNAMODB_PORT ?? 8006),
  dataDir: '.nurture',
  reset: values.reset,
  speed,
  onDispatch: (report) => {
    const moved = report.sent + report.retry + report.rejected + report.unconfirmed;
    if (moved > 0) console.log(`[${runtime.now().toISOString()}] dispatch: ${report.sent} sent, ${report.retry} to retry, ${report.rejected} rejected, ${report.unconfirmed} unconfirmed`);
  },
});

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
