/** Configuration of the local service (`npm start`) and the developer CLIs: local defaults, then the environment's. */
import { loadConfig, type Config } from '../lambdas/config.ts';
import type { LambdaEnv } from '../lambdas/contract.ts';

/** Signs booking webhooks locally (docs/engagement.md, "Booking and the follow-up"); in AWS the secret lives in Secrets Manager. */
export const LOCAL_BOOKING_SECRET = 'local-booking-secret-not-for-production';

/** `defaults` give way to the environment; `overrides` (the emulators' endpoints) do not. */
export function localConfig(defaults: LambdaEnv = {}, overrides: LambdaEnv = {}): Config {
  return loadConfig({
    TABLE_NAME: 'nurture-local',
    SES_CONFIGURATION_SET: 'nurture-local',
    PUBLIC_BASE_URL: 'http://localhost:3000',
    UNSUBSCRIBE_SECRET: 'local-development-secret-not-for-production',
    BOOKING_SECRET: LOCAL_BOOKING_SECRET,
    ...defaults,
    ...process.env,
    ...overrides,
  });
}
