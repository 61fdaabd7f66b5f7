import type { Deps } from '#shared/app/deps';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { completeAndPlan } from './complete.ts';
import { pinClock, ticketCompletedSchema } from './deps.ts';
import { ticketBody } from './fixtures.ts';

export interface TestPhone {
  national: string;
  e164: string;
}

/** A source of distinct mainland mobiles for one test file: `prefix` (3 digits) and 8 more. */
export function phoneSource(prefix: string, base = 30_000_000): () => TestPhone {
  let seq = 0;
  return () => {
    seq++;
    const national = `${prefix}${String(base + seq * 7919).slice(-8)}`;
    return { national, e164: `+86${national}` };
  };
}

/**
 * A ticket completed 2026-11-20 09:50 Beijing for the engineer (region `R-<team>` unless given), its
 * survey sent at 10:21 (open);
 * the clock is left pinned at 10:21.
 */
export async function surveyedTicket(
  deps: Deps,
  phone: TestPhone,
  engineer: { id: string; name: string; team: string; region?: string },
): Promise<{ surveyId: string; phone: TestPhone }> {
  pinClock(new Date('2026-11-20T02:00:00Z'));
  const { response } = await completeAndPlan(
    deps,
    ticketCompletedSchema.parse(
      ticketBody({
        completedAt: '2026-11-20T09:50:00+08:00',
        engineer: { region: `R-${engineer.team}`, ...engineer },
        customer: { phone: phone.national },
      }),
    ),
  );
  pinClock(new Date('2026-11-20T02:21:00Z'));
  await runDueWork(deps);
  return { surveyId: response.surveyId as string, phone };
}
