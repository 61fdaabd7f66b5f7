import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

let seq = 0;

/** A valid completion webhook body; override any part. */
export function ticketBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    ticketId: `T-${Date.now()}-${seq}`,
    source: 'ossA',
    segment: 'home',
    kind: 'repair',
    area: 'urban',
    faultType: 'equipment',
    completedAt: '2026-11-20T10:00:00+08:00',
    engineer: { id: 'E001', name: '王师傅', team: 'T1', region: 'R1' },
    customer: { phone: '13800138000' },
    ...overrides,
  };
}

export function sign(secret: string, body: string, at = new Date(), id = `msg_${randomUUID()}`) {
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

let inboundSeq = 0;
export function inbound(phone: string, messageBody: string, extra: Record<string, unknown> = {}) {
  inboundSeq++;
  return {
    originationNumber: phone,
    destinationNumber: '+8610690000',
    messageBody,
    inboundMessageId: `in-${randomUUID()}-${inboundSeq}`,
    messageKeyword: 'KEYWORD',
    ...extra,
  };
}
