/**
 * One source of truth for the sequences' steps: what the dispatcher sends (emails/sequences.ts) is the outline the
 * report reads (emails/outline.ts), each step with its template added and nothing else changed.
 */
import { describe, expect, it } from 'vitest';
import { outlines } from '../../../emails/outline.ts';
import { sequences } from '../../../emails/sequences.ts';

describe('the sequences and their outline', () => {
  it('every sequence sent is its outline (ids, order, timing, window) with a template on each step', () => {
    expect(Object.keys(sequences)).toEqual(Object.keys(outlines));
    for (const [id, sequence] of Object.entries(sequences)) {
      const { steps, ...rest } = sequence;
      expect(
        // A subject-line experiment comes with its template (`experiment`), never from the outline.
        {
          ...rest,
          steps: steps.map(({ template: _template, variants: _variants, experiment: _experiment, ...step }) => step),
        },
        id,
      ).toEqual(outlines[id]);
      for (const step of steps) {
        expect(typeof step.template.subject, `${id}/${step.id}`).toBe('function');
        expect(step.experiment, `${id}/${step.id}`).toBe(step.template.experiment);
        // Each variant the outline names (`byInterest`) has its template, and nothing else is attached.
        const named = [...new Set(Object.values(step.byInterest ?? {}))].sort();
        expect(Object.keys(step.variants ?? {}).sort(), `${id}/${step.id}`).toEqual(named);
        for (const variant of Object.values(step.variants ?? {})) expect(typeof variant.subject).toBe('function');
      }
    }
  });

  it('each step and each variant has its own template', () => {
    const templates = Object.values(sequences).flatMap((sequence) =>
      sequence.steps.flatMap((step) => [step.template, ...Object.values(step.variants ?? {})]),
    );
    expect(new Set(templates).size).toBe(templates.length);
  });
});

describe('message classes in the emails', () => {
  it("each template previews with its step's class, so previews and the checks show the footer it is sent with", () => {
    for (const sequence of Object.values(sequences))
      for (const step of sequence.steps)
        for (const [name, template] of [[step.id, step.template], ...Object.entries(step.variants ?? {})] as const)
          expect(template.PreviewProps.messageClass ?? 'marketing', `${sequence.id}/${name}`).toBe(step.class);
  });
});
