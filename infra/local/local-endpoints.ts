import type { IncomingMessage, ServerResponse } from 'node:http';
import { listAlerts } from '#shared/gateways/alerts/local';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { routes } from '#shared/http/routes';
import { isClockPinned, now, pinClock } from '#shared/runtime/clock';
import { arn, buildSnsEvent } from './events.ts';
import { errorLine, firstLine, HttpProblem, jsonObject, sendJson } from './http-io.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { clockSetting, normalizePhone, validateInboundSms } from './requests.ts';
import type { LocalScheduler } from './scheduler.ts';

/**
 * The local-only endpoints under /local: the SMS outbox and the alerts (what SNS would have
 * sent), inbound SMS (what End User Messaging would publish), replies to the work order, the
 * clock, and a scheduler tick. Imported only once the environment is set (they read the table).
 */

const INDEX = [
  'GET /local/sms/outbox?phone=',
  'POST /local/sms/inbound',
  'GET /local/alerts',
  'GET /local/work-order-replies?status=pending|queued|delivered|dead',
  'GET /local/clock',
  'POST /local/clock',
  'POST /local/tick',
];

export function localEndpoints(input: {
  runtime: LambdaRuntime;
  scheduler: LocalScheduler;
  region: string;
  log: (line: string) => void;
}) {
  const { runtime, scheduler, log } = input;
  const topicArn = arn('sns', input.region, 'InboundSms');
  const clock = () => ({ now: now().toISOString(), pinned: isClockPinned() });

  return async function local(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const query = new URL(req.url ?? '/', 'http://local').searchParams;
    if (path === '/local/sms/outbox' && method === 'GET') {
      const phone = query.get('phone');
      return sendJson(res, 200, await listOutbox(phone ? normalizePhone(phone) : undefined));
    }
    if (path === '/local/alerts' && method === 'GET') {
      return sendJson(res, 200, await listAlerts());
    }
    if (path === '/local/sms/inbound' && method === 'POST') {
      const payload = validateInboundSms(jsonObject(body));
      const event = buildSnsEvent(JSON.stringify(payload), topicArn, now());
      try {
        await runtime.invoke('sms-inbound', event);
      } catch (err) {
        log(`sms-inbound failed: ${errorLine(err)}`);
        return sendJson(res, 500, { ok: false, message: firstLine(err) });
      }
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/local/work-order-replies' && method === 'GET') {
      const status = query.get('status') ?? undefined;
      const replies = await import('#shared/app/work-order-replies/list');
      const { replyStatuses } = await import('#shared/store/work-order-reply');
      if (status !== undefined && !(replyStatuses as readonly string[]).includes(status)) {
        throw new HttpProblem(400, `status must be one of ${replyStatuses.join(', ')}`, { field: 'status' });
      }
      return sendJson(res, 200, await replies.listWorkOrderReplies(status as (typeof replyStatuses)[number]));
    }
    if (path === '/local/clock' && method === 'GET') return sendJson(res, 200, clock());
    if (path === '/local/clock' && method === 'POST') {
      pinClock(clockSetting(jsonObject(body)));
      log(`clock ${isClockPinned() ? `pinned at ${now().toISOString()}` : 'back to real time'}`);
      return sendJson(res, 200, clock());
    }
    if (path === '/local/tick' && method === 'POST') {
      try {
        return sendJson(res, 200, (await scheduler.tick()) ?? null);
      } catch (err) {
        log(`tick failed: ${errorLine(err)}`);
        return sendJson(res, 500, { message: firstLine(err) });
      }
    }
    if ((path === '/local' || path === '/local/') && method === 'GET') {
      return sendJson(res, 200, {
        endpoints: INDEX,
        routes: routes.map((r) => `${r.method} ${r.path}${r.auth ? ' (bearer token)' : ''}`),
      });
    }
    return sendJson(res, 404, { message: 'Not Found' });
  };
}
