/**
 * One dispatcher run in its own process, so a test can kill it with SIGKILL at a chosen moment, as Lambda's
 * runtime may. Configured by environment variables like the Lambda; `CLOCK_AT` fixes its clock. With
 * `HANG_IN_RENDER=1` it prints "rendering <stepId>" as it renders a lead's step (before its claim), and then waits
 * to be killed.
 */
import { loadConfig } from '../../lambdas/config.ts';
import { resolveSecrets } from '../../lambdas/adapters/secrets.ts';
import { sendingDeps } from '../../lambdas/compose.ts';
import { dispatchDue } from '../../lambdas/domain/dispatch.ts';

const config = await resolveSecrets(loadConfig());
const at = new Date(process.env.CLOCK_AT!);
const dispatch = sendingDeps(config, { clock: { now: () => at }, sendRate: 1000 });
const renderer = process.env.HANG_IN_RENDER
  ? {
      // Rendering comes before the claim (and the send turn), so nothing is held yet.
      render: (_sequenceId: string, stepId: string) => {
        process.stdout.write(`rendering ${stepId}\n`);
        return new Promise<never>(() => {});
      },
    }
  : dispatch.renderer;
const report = await dispatchDue({ ...dispatch, renderer });
process.stdout.write(`${JSON.stringify(report)}\n`);
