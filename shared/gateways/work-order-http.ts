import { Webhook } from 'standardwebhooks';
import type { ReplySecrets } from '#shared/gateways/work-order-reply-secrets';

/**
 * The work order's HTTP endpoint (an outside service): one Standard Webhooks POST of a reply to its
 * source's replyUrl, signed with our secret for that source, the same webhook-id on every attempt.
 *
 * What counts as delivered: a 2xx answer. A 4xx other than 408, 425 and 429 is the receiver
 * refusing this request as such (wrong URL, unknown ticket, our signature rejected): retrying the
 * same request cannot help, so the failure is permanent. 3xx (redirects are not followed), 408,
 * 425, 429, 5xx, network errors, timeouts and a missing secret are worth retrying.
 */
export interface WorkOrderHttp {
  /** One signed POST. Never throws: every failure is a result. */
  post(reply: OutgoingReply): Promise<PostResult>;
}

export interface OutgoingReply {
  /** Whose secret signs it. */
  source: string;
  url: string;
  webhookId: string;
  /** The JSON body, exactly as sent and signed. */
  body: string;
}

export type PostResult =
  | { ok: true; status: number }
  | { ok: false; permanent: boolean; status?: number; error: string };

/** How long one POST may take (real time). */
export const REPLY_TIMEOUT_MS = 10_000;

/** A 4xx the receiver will answer again to the same request (see above). */
export function isPermanentFailure(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 425 && status !== 429;
}

async function post(replySecret: ReplySecrets, reply: OutgoingReply): Promise<PostResult> {
  let secret: string | undefined;
  try {
    secret = await replySecret(reply.source);
  } catch (err) {
    return { ok: false, permanent: false, error: `reply secrets unreadable: ${(err as Error).message}` };
  }
  // A missing secret is a configuration gap an operator can close within the retry window.
  if (!secret) return { ok: false, permanent: false, error: `no reply secret for source ${reply.source}` };
  // The signature's timestamp is the real time, not the domain clock: receivers check it against
  // their own clock (Standard Webhooks allows 5 minutes), so a pinned local clock must not leak in.
  const sentAt = new Date();
  const signature = new Webhook(secret).sign(reply.webhookId, sentAt, reply.body);
  try {
    const res = await fetch(reply.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': reply.webhookId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: reply.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REPLY_TIMEOUT_MS),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return {
      ok: false,
      permanent: isPermanentFailure(res.status),
      status: res.status,
      error: `HTTP ${res.status}`,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const error =
      e.name === 'TimeoutError'
        ? `timeout after ${REPLY_TIMEOUT_MS / 1000}s`
        : `network error: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
    return { ok: false, permanent: false, error };
  }
}

/** The real client: fetch, signed with the source's secret (gateways/work-order-reply-secrets.ts). */
export function workOrderHttp(secrets: ReplySecrets): WorkOrderHttp {
  return { post: (reply) => post(secrets, reply) };
}
