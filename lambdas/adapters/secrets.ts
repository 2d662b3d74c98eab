import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { Config } from '../config.ts';

type SecretSettings = Partial<
  Pick<Config, 'UNSUBSCRIBE_SECRET' | 'UNSUBSCRIBE_SECRET_ARN' | 'BOOKING_SECRET' | 'BOOKING_SECRET_ARN'>
>;

/**
 * Fill in secrets given as Secrets Manager ARNs (in AWS). A plain value (locally, in tests) is used as it is.
 * Powertools caches the value for the life of the Lambda container. Any config that names the secrets will do: the
 * full one, or the privacy Lambda's narrower one.
 */
export async function resolveSecrets<C extends SecretSettings>(
  config: C,
): Promise<C & { UNSUBSCRIBE_SECRET: string; BOOKING_SECRET?: string }> {
  const unsubscribe =
    config.UNSUBSCRIBE_SECRET ??
    (config.UNSUBSCRIBE_SECRET_ARN && (await getSecret(config.UNSUBSCRIBE_SECRET_ARN, { maxAge: 3600 })));
  if (typeof unsubscribe !== 'string' || unsubscribe.length < 32)
    throw new Error('Invalid configuration: UNSUBSCRIBE_SECRET: secret missing or shorter than 32 characters');
  const booking =
    config.BOOKING_SECRET ??
    (config.BOOKING_SECRET_ARN && (await getSecret(config.BOOKING_SECRET_ARN, { maxAge: 3600 })));
  if (booking !== undefined && (typeof booking !== 'string' || booking.length < 32))
    throw new Error('Invalid configuration: BOOKING_SECRET: secret shorter than 32 characters');
  return { ...config, UNSUBSCRIBE_SECRET: unsubscribe, ...(booking && { BOOKING_SECRET: booking }) };
}
