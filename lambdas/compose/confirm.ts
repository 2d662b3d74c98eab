/** /confirm's parts (double opt-in): the lead store, and the dispatcher's parts to send the welcome at once. */
import type { ResolvedConfig } from '../config.ts';
import { sendingDeps } from './sending.ts';
import { clinicFor, type Parts } from './shared.ts';

export { lambdaEntry } from './entry.ts';
export { readConfig, type Clinic, type ResolvedConfig } from './shared.ts';

export function confirmDeps(config: ResolvedConfig, parts: Parts = {}) {
  return { config, clinic: clinicFor(config), dispatch: sendingDeps(config, parts) };
}
