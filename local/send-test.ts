/**
 * `npm run send-test -- --to me@clinic.example --step how-it-works`: render one step with its preview props and
 * send it, subject marked [TEST], through SES: the local inbox of a running `npm start` by default (SES_PORT,
 * 8005), AWS SES with `--aws` (region and credentials from the usual AWS settings).
 *   --to ADDRESS   who gets it
 *   --step ID      a step id, or sequence/step when two sequences have a step with that id
 *   --variant ID   on a step with a subject-line experiment, the variant to send (`a`, the control, by default)
 *   --aws          send through AWS SES instead of the local inbox
 * The same renderer and MIME as the dispatcher's, but no lead, no configuration set and no message tags:
 * nothing is recorded against any lead, and SES publishes no engagement events for it.
 */
import { fileURLToPath } from 'node:url';
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { z } from 'zod';
import type { Clinic } from '../emails/clinic.ts';
import type { EmailStep } from '../emails/sequences.ts';
import type { ArmId } from '../lambdas/domain/experiments.ts';
import type { Sequence } from '../lambdas/domain/sequence.ts';
import { classifySesError, composeMime } from '../lambdas/adapters/ses-mailer.ts';
import { bad, command } from './cli.ts';
import { localConfig } from './local-config.ts';

const TEST_MARK = '[TEST]';

export interface TestSendDeps {
  ses: SESClient;
  sequences: Readonly<Record<string, Sequence<EmailStep>>>;
  clinic: Clinic;
}

export type TestSendResult =
  | {
      ok: true;
      messageId: string;
      subject: string;
      sequenceId: string;
      stepId: string;
      /** The step's experiment and the variant sent, on a step with one. */
      experiment?: { id: string; variant: ArmId; variants: ArmId[] };
    }
  | { ok: false; message: string };

/** Find a step by "step-id" or "sequence/step-id"; the error lists what exists. */
function findStep(
  sequences: TestSendDeps['sequences'],
  wanted: string,
): { sequence: Sequence<EmailStep>; step: EmailStep } | string {
  const [sequenceId, stepId] = wanted.includes('/') ? wanted.split('/', 2) : [undefined, wanted];
  const matches = Object.values(sequences)
    .filter((sequence) => sequenceId === undefined || sequence.id === sequenceId)
    .flatMap((sequence) => sequence.steps.filter((step) => step.id === stepId).map((step) => ({ sequence, step })));
  if (matches.length === 1) return matches[0]!;
  const all = Object.values(sequences).flatMap((sequence) => sequence.steps.map((step) => `${sequence.id}/${step.id}`));
  return matches.length === 0
    ? `There is no step "${wanted}". Steps: ${all.join(', ')}.`
    : `More than one sequence has a step "${wanted}": use one of ${matches.map((m) => `${m.sequence.id}/${m.step.id}`).join(', ')}.`;
}

/**
 * The experiment variant to send of `step`: `wanted`, checked against the step's experiment (one of its variants'
 * ids), or `a`, the control, when none is asked for; undefined for a step without an experiment. The problem, as a
 * sentence naming the step's variants, when `wanted` is not one of them.
 */
export function chosenVariant(
  sequenceId: string,
  step: Pick<EmailStep, 'id' | 'experiment'>,
  wanted: string | undefined,
): { variant: ArmId; variants: ArmId[] } | undefined | string {
  const where = `${sequenceId}/${step.id}`;
  if (!step.experiment)
    return wanted === undefined ? undefined : `"${wanted}": ${where} has no subject-line experiment, so no variants.`;
  const variants = step.experiment.variants.map((variant) => variant.id);
  const parsed = z
    .enum(variants as [ArmId, ...ArmId[]], {
      error: `"${wanted}" is not a variant of ${where} (experiment ${step.experiment.id}): use one of ${variants.join(', ')}.`,
    })
    .default('a')
    .safeParse(wanted);
  return parsed.success ? { variant: parsed.data, variants } : parsed.error.issues[0]!.message;
}

/** Render `step` (its experiment's `variant`, if given) with its preview props and send it to `to`, marked [TEST]. */
export async function sendTest(
  deps: TestSendDeps,
  { to, step: wanted, variant: wantedVariant }: { to: string; step: string; variant?: string },
): Promise<TestSendResult> {
  if (!z.email().safeParse(to).success) return { ok: false, message: `--to: "${to}" is not an email address.` };
  const found = findStep(deps.sequences, wanted);
  if (typeof found === 'string') return { ok: false, message: found };
  const { sequence, step } = found;
  const chosen = chosenVariant(sequence.id, step, wantedVariant);
  if (typeof chosen === 'string') return { ok: false, message: `--variant: ${chosen}` };

  // React and the templates load here, not with the module, so `npm run send-test -- --help` answers at once.
  const { ReactEmailRenderer } = await import('../lambdas/adapters/renderer.ts');
  const { clinic: _clinic, ...props } = step.template.PreviewProps;
  const { unsubscribeUrl } = props;
  const rendered = await new ReactEmailRenderer(deps.sequences, deps.clinic).render(
    sequence.id,
    step.id,
    props,
    undefined,
    chosen?.variant,
  );
  const subject = `${TEST_MARK} ${rendered.subject}`;
  const raw = await composeMime(
    {
      to: { address: to, name: '' },
      subject,
      html: rendered.html,
      text: rendered.text,
      unsubscribeUrl,
      class: step.class,
    },
    { from: { name: deps.clinic.name, address: deps.clinic.fromAddress }, replyTo: deps.clinic.replyTo },
  );
  try {
    const result = await deps.ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
    return {
      ok: true,
      messageId: result.MessageId!,
      subject,
      sequenceId: sequence.id,
      stepId: step.id,
      ...(chosen && step.experiment && { experiment: { id: step.experiment.id, ...chosen } }),
    };
  } catch (error) {
    const outcome = classifySesError(error);
    return {
      ok: false,
      message: `SES did not take the message (${outcome.kind === 'sent' ? 'sent' : outcome.reason}): ${(error as Error).message}`,
    };
  }
}

const USAGE = `usage: npm run send-test -- --to ADDRESS --step ID [--variant ID] [--aws]
  --to ADDRESS   who gets it, like you@example.com
  --step ID      a step id, like how-it-works, or SEQUENCE/STEP when two sequences have a step with that id
  --variant ID   on a step with a subject-line experiment, the variant to send, like b (default a, the control)
  --aws          send through AWS SES (region and credentials from the AWS settings) instead of the local inbox
                 of a running npm start (SES_PORT, 8005)
  -h, --help     show this help`;

async function main() {
  const { values, fail } = command({
    name: 'send-test',
    usage: USAGE,
    options: {
      to: { type: 'string' },
      step: { type: 'string' },
      variant: { type: 'string' },
      aws: { type: 'boolean', default: false },
    },
    schema: z.object({
      to: z.email({ error: bad('is not an email address') }),
      step: z.string().min(1, { error: 'needs a step id, like how-it-works' }),
      // Which ids are variants depends on the step: checked against its experiment below (`chosenVariant`).
      variant: z.string().optional(),
      aws: z.boolean(),
    }),
  });
  // Loaded after the options are read, so --help and a mistyped option answer at once.
  const [{ sesClient }, { clinicFor, sequencesFor }] = await Promise.all([
    import('../lambdas/adapters/clients.ts'),
    import('../lambdas/compose.ts'),
  ]);
  const local = localConfig({ SES_ENDPOINT: `http://127.0.0.1:${process.env.SES_PORT ?? 8005}` });
  const config = values.aws ? { ...local, SES_ENDPOINT: undefined } : local;
  // A step that does not exist is a bad value, said before anything is rendered or sent.
  const found = findStep(sequencesFor(config), values.step);
  if (typeof found === 'string') return fail(`--step: ${found}`);
  // So is a variant the step's experiment does not have.
  const chosen = chosenVariant(found.sequence.id, found.step, values.variant);
  if (typeof chosen === 'string') fail(`--variant: ${chosen}`);
  const via = config.SES_ENDPOINT ? `the local inbox (${config.SES_ENDPOINT})` : `AWS SES in ${config.AWS_REGION}`;
  const result = await sendTest(
    { ses: sesClient(config), sequences: sequencesFor(config), clinic: clinicFor(config) },
    { to: values.to, step: values.step, ...(values.variant !== undefined && { variant: values.variant }) },
  );
  if (!result.ok) {
    const hint = config.SES_ENDPOINT
      ? ` Is \`npm start\` running? The inbox is at ${config.SES_ENDPOINT}; set SES_PORT if it uses another port.`
      : '';
    console.error(`${result.message}${result.message.startsWith('SES') ? hint : ''}`);
    process.exit(1);
  }
  const { experiment } = result;
  const variant = experiment && `, variant ${experiment.variant} of experiment ${experiment.id}`;
  console.log(
    `Sent "${result.subject}" (${result.sequenceId}/${result.stepId}${variant ?? ''}) to ${values.to} through ${via}. SES message id ${result.messageId}.`,
  );
  // Every variant is the medical director's to sign before it goes out: say how to see the others.
  const others = experiment?.variants.filter((id) => id !== experiment.variant) ?? [];
  if (others.length > 0) console.log(`Its other variants: ${others.map((id) => `--variant ${id}`).join(', ')}.`);
  if (config.SES_ENDPOINT) console.log(`Open ${config.SES_ENDPOINT.replace('127.0.0.1', 'localhost')} to read it.`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
