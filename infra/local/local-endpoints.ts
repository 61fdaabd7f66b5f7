import type { IncomingMessage, ServerResponse } from 'node:http';
import { listWorkOrderReplies } from '#shared/app/work-order-replies/list';
import { listAlerts } from '#shared/gateways/alerts/local';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { routes } from '#shared/http/routes';
import type { PinnableClock } from '#shared/runtime/clock';
import { replyStatuses } from '#shared/store/work-order-reply';
import { arn, buildSnsEvent } from './events.ts';
import { errorLine, firstLine, HttpProblem, jsonObject, sendJson } from './http-io.ts';
import type { LambdaRuntime } from './lambda-runtime.ts';
import { clockSetting, normalizePhone, validateInboundSms } from './requests.ts';
import type { LocalScheduler } from './scheduler.ts';

/**
 * The local-only endpoints under /local: the SMS outbox and the alerts (what SNS would have
 * sent), inbound SMS (what End User Messaging would publish), replies to the work order, the
 * clock (the local system's pinnable clock), and a scheduler tick.
 */

const INDEX = [
  'GET /local/sms/outbox?phone=',
  'POST /local/sms/inbound',
  'GET /local/alerts',
  'GET /local/work-order-replies?status=pending|queued|delivered|dead',
  'GET /local/clock',
  'POST /local/clock',
  'POST /local/tick',
  'GET /local/sign-in (development sign-in of the pages, from their 本地开发登录 link)',
  'POST /local/token',
];

export function localEndpoints(input: {
  runtime: LambdaRuntime;
  scheduler: LocalScheduler;
  region: string;
  clock: PinnableClock;
  log: (line: string) => void;
}) {
  const { runtime, scheduler, log } = input;
  const now = () => input.clock.now();
  const topicArn = arn('sns', input.region, 'InboundSms');
  const clock = () => ({ now: now().toISOString(), pinned: input.clock.isPinned() });

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
      if (status !== undefined && !(replyStatuses as readonly string[]).includes(status)) {
        throw new HttpProblem(400, `status must be one of ${replyStatuses.join(', ')}`, { field: 'status' });
      }
      return sendJson(res, 200, await listWorkOrderReplies(status as (typeof replyStatuses)[number]));
    }
    if (path === '/local/clock' && method === 'GET') return sendJson(res, 200, clock());
    if (path === '/local/clock' && method === 'POST') {
      input.clock.pin(clockSetting(jsonObject(body)));
      log(`clock ${input.clock.isPinned() ? `pinned at ${now().toISOString()}` : 'back to real time'}`);
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
