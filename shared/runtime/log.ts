import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per container. Never pass a phone number or a name to it in clear:
 * log ids, and `maskPhone()` where a phone must be mentioned.
 */
export const logger = new Logger({ serviceName: 'telecom-feedback' });
