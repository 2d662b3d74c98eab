/**
 * Starts a dispatcher worker in AWS: the dispatcher invokes itself asynchronously (InvocationType `Event`) with the
 * worker's shards, rate and deadline (`WorkerEvent`, lambdas/domain/fan-out.ts). Lambda queues the event and answers
 * 202 at once; the worker runs as its own invocation, within the function's reserved concurrency.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { WorkerEvent } from '../domain/fan-out.ts';

export function lambdaWorkerStarter(functionName: string, client = new LambdaClient({})) {
  return async (event: WorkerEvent): Promise<void> => {
    const { StatusCode, FunctionError } = await client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: JSON.stringify(event) }),
    );
    if (StatusCode !== 202 || FunctionError)
      throw new Error(`starting dispatch worker ${event.worker} of ${event.of} answered ${StatusCode}`);
  };
}
