/** Configuration for the developer CLIs: the local service's settings (`npm start`), then the environment's. */
import { loadConfig, type Config } from '../lambdas/config.ts';

export function localConfig(defaults: Record<string, string> = {}): Config {
  return loadConfig({
    TABLE_NAME: 'nurture-local',
    SES_CONFIGURATION_SET: 'nurture-local',
    PUBLIC_BASE_URL: 'http://localhost:3000',
    UNSUBSCRIBE_SECRET: 'local-development-secret-not-for-production',
    ...defaults,
    ...process.env,
  });
}
