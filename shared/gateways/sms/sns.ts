import type { SmsGateway } from '#shared/gateways/sms/gateway';
import { lazySnsPublish } from '#shared/gateways/sns-publish';

/** Errors after which SNS will never accept this message (e.g. a number it refuses). */
const PERMANENT = new Set(['InvalidParameterException', 'InvalidParameterValueException']);

/**
 * SMS on AWS (SMS_GATEWAY=sns): SNS Publish straight to the phone number, Transactional. The SNS
 * client is loaded and created on the first send (a function that sends nothing never loads it).
 */
export function snsSmsGateway(region: string, endpoint?: string): SmsGateway {
  const publish = lazySnsPublish(region, endpoint);
  return {
    async send({ to, body }) {
      try {
        const res = await publish({
          PhoneNumber: to,
          Message: body,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          },
        });
        if (!res.MessageId) return { ok: false, failure: 'transient', reason: 'SNS returned no MessageId' };
        return { ok: true, messageId: res.MessageId };
      } catch (err) {
        // The error's name only: SNS's messages may quote the phone number.
        const name = err instanceof Error ? err.name : 'Error';
        return { ok: false, failure: PERMANENT.has(name) ? 'permanent' : 'transient', reason: name };
      }
    },
  };
}
