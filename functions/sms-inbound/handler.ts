import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { type Deps, depsFromProcessEnv } from '#shared/app/deps';
import { handleInboundSms, type InboundOutcome } from '#shared/app/surveys/handle-inbound-sms';
import { inboundSmsSchema as inboundSchema } from '#shared/http/schemas/inbound-sms';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';

/**
 * Customers' replies. A record that is not a valid inbound SMS is logged and dropped (retrying it
 * cannot help); any other failure is thrown so that Lambda retries and then dead-letters it.
 */
export const smsInbound =
  (deps: Deps) =>
  async (event: SNSEvent): Promise<InboundOutcome[]> => {
    const outcomes: InboundOutcome[] = [];
    for (const record of event.Records) {
      let payload: unknown;
      try {
        payload = JSON.parse(record.Sns.Message);
      } catch {
        logger.warn('inbound sms is not JSON; dropped', { snsMessageId: record.Sns.MessageId });
        continue;
      }
      const parsed = inboundSchema().safeParse(payload);
      if (!parsed.success) {
        logger.warn('inbound sms has an unexpected shape; dropped', {
          snsMessageId: record.Sns.MessageId,
          fields: parsed.error.issues.map((i) => i.path.join('.')),
        });
        continue;
      }
      const { messageKeyword, previousPublishedMessageId, ...rest } = parsed.data;
      outcomes.push(
        await handleInboundSms(deps, {
          ...rest,
          ...(messageKeyword ? { messageKeyword } : {}),
          ...(previousPublishedMessageId ? { previousPublishedMessageId } : {}),
        }),
      );
    }
    return outcomes;
  };

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: Deps) => middy(smsInbound(deps)).use(injectLambdaContext(logger));

export const handler = perContainer(depsFromProcessEnv, makeHandler);
