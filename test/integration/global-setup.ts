/** Starts the real emulators once for the whole run: dynalite and aws-ses-v2-local, on free ports. */
import type { TestProject } from 'vitest/node';
import { startEmulators } from '../../local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  project.provide('dynamoEndpoint', emulators.dynamoEndpoint);
  project.provide('sesEndpoint', emulators.sesEndpoint);
  return () => emulators.stop();
}
