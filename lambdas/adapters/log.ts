import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../domain/ports.ts';

/** One Powertools logger per process. Callers pass ids only: never an address, a name or a health interest. */
export const logger = new Logger({ serviceName: 'nurture' });

export const log: Log = {
  info: (message, fields) => logger.info(message, { ...fields }),
  warn: (message, fields) => logger.warn(message, { ...fields }),
  error: (message, fields) => logger.error(message, { ...fields }),
};
