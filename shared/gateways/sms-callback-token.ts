import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '#shared/config/check';
import { type Config, SMS_CALLBACK_TOKEN, SMS_CALLBACK_TOKEN_MESSAGE } from '#shared/config/config';
import { onceUntilFailure } from '#shared/runtime/once';

/**
 * The secret path segment of the SMS providers' callback URLs: `SMS_CALLBACK_TOKEN` (locally,
 * checked with the configuration) or the Secrets Manager secret `SMS_CALLBACK_TOKEN_SECRET_ARN`
 * (on AWS: read on first use, once per container; a bad value fails the requests naming the ARN).
 */
export type SmsCallbackToken = () => Promise<string>;

export function smsCallbackToken(
  config: Pick<Config, 'SMS_CALLBACK_TOKEN' | 'SMS_CALLBACK_TOKEN_SECRET_ARN'>,
): SmsCallbackToken {
  const fromSecret = onceUntilFailure(async () => {
    const value = await getSecret(config.SMS_CALLBACK_TOKEN_SECRET_ARN as string, { maxAge: 365 * 86_400 });
    if (typeof value !== 'string' || !SMS_CALLBACK_TOKEN.test(value.trim())) {
      throw new ConfigError([`SMS_CALLBACK_TOKEN_SECRET_ARN (its value): ${SMS_CALLBACK_TOKEN_MESSAGE}`]);
    }
    return value.trim();
  });
  return () => {
    if (config.SMS_CALLBACK_TOKEN) return Promise.resolve(config.SMS_CALLBACK_TOKEN);
    const arn = config.SMS_CALLBACK_TOKEN_SECRET_ARN;
    if (!arn) {
      return Promise.reject(
        new ConfigError([
          'SMS_CALLBACK_TOKEN: SMS_CALLBACK_TOKEN or SMS_CALLBACK_TOKEN_SECRET_ARN must be set',
        ]),
      );
    }
    // Read once per container; a failed read is tried again on the next request.
    return fromSecret();
  };
}
