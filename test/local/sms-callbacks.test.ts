import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { getSurvey } from '#shared/store/survey';
import { type LocalSystem, startLocalSystem } from '../../infra/local/server.ts';
import { completeAndPlan } from '../helpers/complete.ts';
import { ticketCompletedSchema } from '../helpers/deps.ts';
import { ticketBody } from '../helpers/fixtures.ts';

/**
 * The local system's SMS callbacks: the token it generated, and the fast path (a reply pushed to
 * the callback URL is handled right after the answer, with the scheduler's timer off).
 */
const endpoint = inject('dynamoEndpoint');
let sys: LocalSystem;
const logs: string[] = [];

beforeAll(async () => {
  sys = await startLocalSystem({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'local-sms-')),
    dynamoEndpoint: endpoint,
    tableName: process.env.TABLE_NAME,
    tickSeconds: 0,
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await sys?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${sys.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('local system: SMS provider callbacks', () => {
  it('generates a URL-safe token; a wrong one is a 404', async () => {
    expect(sys.smsCallbackToken).toMatch(/^[A-Za-z0-9_-]{32,128}$/);
    const res = await post(`/v1/sms/aliyun/${'x'.repeat(43)}/replies`, []);
    expect(res.status).toBe(404);
  });

  it('a reply pushed to the callback is handled right after the answer, without a tick', async () => {
    const phone = '13912345678';
    sys.clock.pin(new Date('2026-11-20T02:30:00Z')); // 10:30 Beijing: outside quiet hours
    const { response } = await completeAndPlan(
      sys.deps,
      ticketCompletedSchema.parse(
        ticketBody({
          customer: { phone },
          engineer: { id: 'E-local', name: '陈师傅', team: 'T1', region: 'R1' },
          completedAt: '2026-11-20T09:50:00+08:00',
        }),
      ),
    );
    await runDueWork(sys.deps);
    expect((await getSurvey(response.surveyId))?.status).toBe('sent');
    const push = [
      {
        phone_number: phone,
        send_time: '2026-11-20 10:00:00',
        content: '1',
        sign_name: '【客户服务】',
        dest_code: '',
        sequence_id: 424242,
      },
    ];
    const res = await post(`/v1/sms/aliyun/${sys.smsCallbackToken}/replies`, push);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: 0, msg: '成功' });
    const deadline = Date.now() + 20_000;
    let status = (await getSurvey(response.surveyId))?.status;
    while (status === 'sent' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await getSurvey(response.surveyId))?.status;
    }
    expect(await getSurvey(response.surveyId)).toMatchObject({ status: 'answered', rating: 1 });
  });
});
