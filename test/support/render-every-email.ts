/**
 * Renders every version of every step of every sequence, and of each step's variants by interest (each template's
 * `PreviewProps`, then each of its `Variants`)
 * through the renderer the sending Lambdas use, and prints them as JSON. test/infra/bundle-render.test.ts bundles this
 * file as the Lambdas are bundled, runs it in plain Node and compares what it prints.
 */
import type { EmailProps } from '../../emails/_shared/types.ts';
import { clinic } from '../../emails/clinic.ts';
import { sequences } from '../../emails/sequences.ts';
import { ReactEmailRenderer } from '../../lambdas/adapters/renderer.ts';
import type { RenderProps } from '../../lambdas/domain/ports.ts';

const renderProps = ({ firstName, unsubscribeUrl, appointment, visitDay, attended }: EmailProps): RenderProps => ({
  firstName,
  unsubscribeUrl,
  ...(appointment !== undefined && { appointment }),
  ...(visitDay !== undefined && { visitDay }),
  ...(attended !== undefined && { attended }),
});

const renderer = new ReactEmailRenderer(sequences, clinic);
const rendered = [];
for (const sequence of Object.values(sequences))
  for (const step of sequence.steps)
    // The step's own email, then each of its variants by interest (`byInterest`), sent in its place.
    for (const [variant, template] of [[undefined, step.template], ...Object.entries(step.variants ?? {})] as const) {
      const preview = template.PreviewProps;
      const versions: [string, EmailProps][] = [
        ['preview', preview],
        ...Object.entries(template.Variants ?? {}).map(([name, props]): [string, EmailProps] => [
          name,
          { ...preview, ...props },
        ]),
      ];
      for (const [version, props] of versions)
        rendered.push({
          sequence: sequence.id,
          step: step.id,
          ...(variant !== undefined && { variant }),
          version,
          ...(await renderer.render(sequence.id, step.id, renderProps(props), variant)),
        });
    }
process.stdout.write(JSON.stringify(rendered));
