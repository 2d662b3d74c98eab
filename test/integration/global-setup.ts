/** Starts the real emulators once for the whole run (DynamoDB on the project's backend, and aws-ses-v2-local), on free ports. */
import type { TestProject } from 'vitest/node';
import { startEmulators, type DynamoBackend } from '../../local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoBackend: DynamoBackend;
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

/** A vitest global setup that runs the emulators with `dynamoBackend` behind the DynamoDB endpoint. */
export function emulatorsFor(dynamoBackend: DynamoBackend) {
  return async (project: TestProject) => {
    const emulators = await startEmulators({ dynamoBackend });
    project.provide('dynamoBackend', emulators.dynamoBackend);
    project.provide('dynamoEndpoint', emulators.dynamoEndpoint);
    project.provide('sesEndpoint', emulators.sesEndpoint);
    return () => emulators.stop();
  };
}

export default emulatorsFor('dynalite');
