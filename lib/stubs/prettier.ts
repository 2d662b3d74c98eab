/**
 * What the Lambda bundles hold in place of prettier (`BUNDLE_ALIASES` in lib/nurture-function.ts). @react-email/render
 * imports prettier only to format the HTML when asked to render with `pretty: true`, which nothing in lambdas/ does.
 * Were something to ask, rendering fails here, loudly, rather than sending HTML formatted some other way.
 */
export function format(): never {
  throw new Error(
    'prettier is left out of the Lambda bundles (lib/stubs/prettier.ts): render without the `pretty` option',
  );
}
