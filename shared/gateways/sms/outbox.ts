import { smsSegments } from '#shared/domain/sms/segments';
import type { SmsGateway } from '#shared/gateways/sms/gateway';
import type { Clock } from '#shared/runtime/clock';
import { newId } from '#shared/runtime/ids';
import { appendLocal, listLocal } from '#shared/store/local-log';

/** Local SMS provider (SMS_GATEWAY=outbox): keeps each message in the local outbox (GET /local/sms/outbox). */
export interface OutboxEntry {
  messageId: string;
  to: string;
  body: string;
  segments: number;
  sentAt: string;
}

export function outboxSmsGateway(clock: Clock): SmsGateway {
  return {
    async send({ to, body }) {
      const messageId = newId();
      const at = clock.now();
      await appendLocal(
        'sms',
        {
          messageId,
          to,
          body,
          segments: smsSegments(body),
          sentAt: at.toISOString(),
        },
        at,
      );
      return { ok: true, messageId };
    },
  };
}

/** Local only: every SMS the outbox provider has sent, oldest first (optionally to one phone). */
export async function listOutbox(phone?: string): Promise<OutboxEntry[]> {
  return (await listLocal('sms', phone)).map((it) => ({
    messageId: it.messageId as string,
    to: it.to as string,
    body: it.body as string,
    segments: it.segments as number,
    sentAt: it.sentAt as string,
  }));
}
