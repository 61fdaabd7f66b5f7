import { beforeAll, describe, expect, it } from 'vitest';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { listAlerts } from '#shared/gateways/alerts/local';
import { queryAggregates } from '#shared/store/aggregate';
import { getCallback } from '#shared/store/callback';
import { pinClock, testDeps } from '../helpers/deps.ts';
import { inbound } from '../helpers/fixtures.ts';
import { surveyedTicket } from '../helpers/surveyed.ts';

const deps = testDeps({ rules: { callbacks: { openOnBasicallySatisfied: true, contactWithinHours: 2 } } });

/** rules.callbacks: 基本满意 opens a case when configured; the contact deadline is configurable. */
async function rated(phone: string, rating: string, engineerId: string) {
  const { surveyId } = await surveyedTicket(
    deps,
    { national: phone, e164: `+86${phone}` },
    { id: engineerId, name: '周师傅', team: 'T-rules', region: 'R-rules' },
  );
  expect(await handleInboundSms(deps, inbound(`+86${phone}`, rating))).toBe('rated');
  return surveyId;
}

describe('callback rules from RULES', () => {
  let basic: string;
  let satisfied: string;
  beforeAll(async () => {
    basic = await rated('13911112222', '2', 'E-basic');
    satisfied = await rated('13911113333', '1', 'E-happy');
  });

  it('a 基本满意 opens a case (with its alert) when openOnBasicallySatisfied is set; a 满意 never does', async () => {
    expect(await getCallback(basic)).toMatchObject({ status: 'open', rating: 2 });
    expect(await getCallback(satisfied)).toBeUndefined();
    const alerts = await listAlerts();
    expect(alerts.filter((a) => a.caseId === basic)).toEqual([
      expect.objectContaining({ kind: 'callback_opened', subject: expect.stringContaining('基本满意') }),
    ]);
    expect(alerts.filter((a) => a.caseId === satisfied)).toEqual([]);
    const rows = await queryAggregates(['2026-11-20']);
    expect(rows.find((r) => r.engineerId === 'E-basic')?.callbacksOpened).toBe(1);
    expect(rows.find((r) => r.engineerId === 'E-happy')?.callbacksOpened).toBeUndefined();
  });

  it('the deadline follows contactWithinHours', async () => {
    expect((await getCallback(basic))?.deadline).toBe('2026-11-20T04:21:00.000Z');
    pinClock(new Date('2026-11-20T04:20:00Z'));
    await runDueWork(deps);
    expect((await getCallback(basic))?.status).toBe('open');
    pinClock(new Date('2026-11-20T04:21:00Z'));
    await runDueWork(deps);
    expect((await getCallback(basic))?.status).toBe('overdue');
    const overdue = (await listAlerts()).filter((a) => a.caseId === basic && a.kind === 'callback_overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]?.message).toContain('2 小时');
  });
});
