/**
 * The emails `npm run check:emails` checks: every email a sequence sends, every interest email, and every template file
 * in emails/, or the files named on the command line, each with the file it lives in and the steps that send it.
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { experimentArms, experimentEmail } from '../emails/_shared/experiment.ts';
import type { StepTemplate } from '../emails/_shared/types.ts';
import type { MessageClass, Sequence } from '../lambdas/domain/sequence.ts';

/** One template, where it lives and which sequence steps send it. */
export interface EmailUnderCheck {
  /** Relative to the repository, like "emails/welcome.tsx". */
  file: string;
  /** "nurture → welcome"; empty when no sequence sends it yet. */
  sentAs: string[];
  template: StepTemplate;
}

/** How an interest email (`emails/interest-emails.ts`) is named in `sentAs`: "interest email → the-research-aura". */
export const interestEmailSentAs = (id: string) => `interest email → ${id}`;

/**
 * Every email a sequence sends, every interest email (a step's variants, `byInterest` in `emails/outline.ts`: sent
 * instead of the step's own email to a lead with that interest), and every template file in `dir`, with the file it
 * lives in.
 */
export async function emailsToCheck(
  sequences: Readonly<Record<string, Sequence<CheckedStep>>>,
  interestEmails: Readonly<Record<string, StepTemplate>> = variantsOf(sequences),
  dir = 'emails',
): Promise<EmailUnderCheck[]> {
  const byTemplate = new Map<StepTemplate, EmailUnderCheck>();
  for (const file of templateFiles(dir)) {
    const module = (await import(pathToFileURL(resolve(file)).href)) as { default?: StepTemplate };
    if (typeof module.default === 'function' && module.default.PreviewProps)
      byTemplate.set(module.default, { file, sentAs: [], template: module.default });
  }
  for (const sequence of Object.values(sequences)) {
    for (const step of sequence.steps) {
      const entry = byTemplate.get(step.template) ?? {
        file: `${sequence.id} → ${step.id} (template not in ${dir}/)`,
        sentAs: [],
        template: step.template,
      };
      entry.sentAs.push(`${sequence.id} → ${step.id}`);
      byTemplate.set(step.template, entry);
    }
  }
  for (const [id, template] of Object.entries(interestEmails)) {
    const entry = byTemplate.get(template) ?? {
      file: `${interestEmailSentAs(id)} (template not in ${dir}/)`,
      sentAs: [],
      template,
    };
    entry.sentAs.push(interestEmailSentAs(id));
    byTemplate.set(template, entry);
  }
  // Each subject-line experiment variant of a step's email, as it is sent (`experimentEmail`): the same object as its
  // preview file's (emails/how-it-works-variant-b.tsx), so a variant with a file is listed once.
  for (const entry of [...byTemplate.values()])
    for (const arm of experimentArms(entry.template)) {
      const template = experimentEmail(entry.template, arm);
      const variant =
        byTemplate.get(template) ??
        byTemplate
          .set(template, { file: `${entry.file} (experiment variant ${arm})`, sentAs: [], template })
          .get(template)!;
      variant.sentAs.push(
        ...entry.sentAs.map((sentAs) => `${sentAs} (experiment ${entry.template.experiment!.id}, variant ${arm})`),
      );
    }
  return [...byTemplate.values()];
}

/** What the checks read of a step: its email, and its variants' by interest (`byInterest`), by variant id. */
type CheckedStep = {
  id: string;
  class: MessageClass;
  template: StepTemplate;
  variants?: Readonly<Record<string, StepTemplate>>;
};

/** Every step's variants by interest, by variant id: the interest emails the sequences send (`emails/outline.ts`). */
export function variantsOf(sequences: Readonly<Record<string, Sequence<CheckedStep>>>): Record<string, StepTemplate> {
  return Object.fromEntries(
    Object.values(sequences).flatMap((sequence) =>
      sequence.steps.flatMap((step) => Object.entries(step.variants ?? {})),
    ),
  );
}

/** The template files the preview server lists: .tsx/.jsx files under `dir`, outside folders starting with "_". */
export function templateFiles(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return files
    .filter((file) => /\.(tsx|jsx)$/.test(file) && !file.split(/[\\/]/).some((part) => part.startsWith('_')))
    .map((file) => relative(process.cwd(), join(dir, file)))
    .sort();
}

/** Load templates from files given on the command line (`npm run check:emails -- emails/welcome.tsx`). */
export async function emailsFromFiles(files: string[]): Promise<EmailUnderCheck[]> {
  return Promise.all(
    files.map(async (file) => {
      const module = (await import(pathToFileURL(resolve(file)).href)) as { default: StepTemplate };
      return { file: relative(process.cwd(), resolve(file)), sentAs: [], template: module.default };
    }),
  );
}
