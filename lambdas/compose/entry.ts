/**
 * How a Lambda starts: on the first event, config is read (failing loudly on a bad value) and `build` makes the
 * handler the container keeps. A failed start is not kept: the next event tries again.
 */

type Built<E, R> = ((event: E) => Promise<R>) | Promise<(event: E) => Promise<R>>;

/**
 * A Lambda entry point. `readConfig` is the handler's own: the full config with its secrets (`readConfig` in
 * compose/shared.ts), or less for a Lambda that needs less (the admin report and the SES-event recorder read no
 * secret, so their bundles hold no Secrets Manager client).
 */
export function lambdaEntry<C, E, R>(
  build: (config: C) => Built<E, R>,
  readConfig: () => C | Promise<C>,
): (event: E) => Promise<R> {
  let handle: Promise<(event: E) => Promise<R>> | undefined;
  return async (event) => {
    handle ??= Promise.resolve()
      .then(readConfig)
      .then(build)
      .catch((error: unknown) => {
        handle = undefined;
        throw error;
      });
    return (await handle)(event);
  };
}
