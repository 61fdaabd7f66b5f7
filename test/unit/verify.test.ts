// Over 350 lines on purpose: the offline recompute checked event kind by event kind, plus the stranded-work checks.
import { describe, expect, it } from 'vitest';
import { counters } from '#shared/domain/counters';
import type { Timeliness } from '#shared/domain/timeliness';
import { compareAggregates, compareRollups } from '#shared/domain/verify/compare';
import { formatDifferences, formatRollupDifferences } from '#shared/domain/verify/format';
import {
  type CallbackRecord,
  recomputeAggregates,
  rollupId,
  type SurveyRecord,
  surveyDelta,
} from '#shared/domain/verify/recompute';
import { strandedInQueues } from '#shared/domain/verify/stranded';
import { strandedItem } from '../../infra/ops/verify.ts';

const DAY = '2026-11-20';
const tl = (contact: boolean | null, repair: boolean | null, punctual: boolean | null): Timeliness => ({
  contactOnTime: contact,
  repairOnTime: repair,
  punctual,
  repairLimitHours: repair === null ? null : 3,
});
const survey = (over: Partial<SurveyRecord> = {}): SurveyRecord => ({
  surveyId: `s-${Math.random()}`,
  day: DAY,
  engineerId: 'E1',
  status: 'scheduled',
  timeliness: tl(null, null, null),
  ...over,
});
const cb = (over: Partial<CallbackRecord> = {}): CallbackRecord => ({
  caseId: `c-${Math.random()}`,
  day: DAY,
  engineerId: 'E1',
  status: 'open',
  history: [{ at: '2026-11-20T03:00:00Z', by: 'system', action: 'opened' }],
  ...over,
});

/** The non-zero counters of one recomputed day. */
function nonZero(surveys: SurveyRecord[], callbacks: CallbackRecord[] = [], id = `${DAY}#E1`) {
  const counts = recomputeAggregates(surveys, callbacks).aggregates.get(id)?.counts ?? {};
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0));
}

describe('recomputing aggregates from raw records', () => {
  it('counts a completion with its timeliness: applicable when not null, on time when true', () => {
    expect(nonZero([survey({ timeliness: tl(true, false, null) })])).toEqual({
      completed: 1,
      contactApplicable: 1,
      contactOnTime: 1,
      repairApplicable: 1,
    });
    expect(nonZero([survey({ timeliness: tl(false, true, true) })])).toEqual({
      completed: 1,
      contactApplicable: 1,
      repairApplicable: 1,
      repairOnTime: 1,
      punctualApplicable: 1,
      punctual: 1,
    });
  });

  it('counts suppressions with their reason', () => {
    expect(
      nonZero([
        survey({ status: 'suppressed', reason: 'opted_out' }),
        survey({ status: 'suppressed', reason: 'recently_surveyed' }),
        survey({ status: 'suppressed', reason: 'recently_surveyed' }),
        survey({ status: 'suppressed', reason: 'staff_phone' }),
        survey({ status: 'suppressed', reason: 'kind_not_surveyed' }),
      ]),
    ).toEqual({
      completed: 5,
      suppressed: 5,
      suppressedOptedOut: 1,
      suppressedRecentlySurveyed: 2,
      suppressedStaffPhone: 1,
      suppressedKindNotSurveyed: 1,
    });
  });

  it('takes a sent survey cancelled by a reopen out of surveyed, and counts reopenings of answered ones', () => {
    const sentThenReopened = survey({
      status: 'cancelled',
      sentAt: '2026-11-20T03:00:00Z',
      reopenedAt: '2026-11-20T04:00:00Z',
    });
    const scheduledThenReopened = survey({ status: 'cancelled', reopenedAt: '2026-11-20T04:00:00Z' });
    const answeredThenReopened = survey({
      status: 'answered',
      sentAt: '2026-11-20T03:00:00Z',
      rating: 1,
      reopenedAt: '2026-11-20T05:00:00Z',
    });
    expect(nonZero([sentThenReopened, scheduledThenReopened, answeredThenReopened])).toEqual({
      completed: 3,
      reopened: 3,
      cancelled: 2,
      surveyed: 1,
      responses: 1,
      satisfied: 1,
    });
  });

  it('counts ratings, reasons (each distinct digit once), unrated answers, reminders, expiries and opt-outs', () => {
    const sent = { sentAt: '2026-11-20T03:00:00Z' };
    expect(
      nonZero([
        survey({ ...sent, status: 'answered', rating: 1, reminderSentAt: '2026-11-21T03:00:00Z' }),
        survey({ ...sent, status: 'awaiting_reasons', rating: 2 }),
        survey({ ...sent, status: 'answered', rating: 3, reasons: [1, 3, 3] }),
        survey({ ...sent, status: 'answered', rating: 2, reasons: [6] }),
        survey({ ...sent, status: 'answered' }), // kept as a comment after the re-prompts
        survey({ ...sent, status: 'expired', reminderSentAt: 'skipped' }),
        survey({ ...sent, status: 'opted_out' }),
        survey({ ...sent, status: 'sent' }),
      ]),
    ).toEqual({
      completed: 8,
      surveyed: 8,
      reminded: 1,
      responses: 4,
      satisfied: 1,
      basicallySatisfied: 2,
      dissatisfied: 1,
      reason1: 1,
      reason3: 1,
      reason6: 1,
      unrated: 1,
      expired: 1,
      optedOut: 1,
    });
  });

  it('counts callback cases: opened, overdue (by status, overdueAt or history) and closed by outcome', () => {
    const overdueEntry = { at: '2026-11-21T03:00:00Z', by: 'system', action: 'overdue' as const };
    expect(
      nonZero(
        [],
        [
          cb(),
          cb({ status: 'overdue' }),
          cb({ status: 'closed', outcome: 'resolved_satisfied', overdueAt: '2026-11-21T03:00:00Z' }),
          cb({ status: 'closed', outcome: 'unreachable', history: [overdueEntry] }),
          cb({ status: 'closed', outcome: 'resolved_unsatisfied' }),
        ],
      ),
    ).toEqual({
      callbacksOpened: 5,
      callbacksOverdue: 3,
      callbacksClosed: 3,
      callbacksResolvedSatisfied: 1,
      callbacksResolvedUnsatisfied: 1,
      callbacksUnreachable: 1,
    });
  });

  it('keeps each engineer and day apart', () => {
    const r = recomputeAggregates(
      [
        survey(),
        survey({ engineerId: 'E2' }),
        survey({ day: '2026-11-21' }),
        survey({ day: '2026-11-21', status: 'expired', sentAt: '2026-11-21T03:00:00Z' }),
      ],
      [cb({ engineerId: 'E2' })],
    );
    expect([...r.aggregates.keys()].sort()).toEqual(['2026-11-20#E1', '2026-11-20#E2', '2026-11-21#E1']);
    expect(r.aggregates.get('2026-11-21#E1')?.counts).toMatchObject({
      completed: 2,
      expired: 1,
      surveyed: 1,
    });
    expect(r.aggregates.get('2026-11-20#E2')?.counts).toMatchObject({ completed: 1, callbacksOpened: 1 });
    expect(r.surveys).toBe(4);
    expect(r.callbacks).toBe(1);
  });

  it('reports what the raw records cannot tell instead of guessing', () => {
    const { timeliness: _t, ...noTimeliness } = survey({ surveyId: 'old' });
    const r = recomputeAggregates([noTimeliness, survey({ status: 'suppressed' })], []);
    expect(r.problems.map((p) => p.id)).toContain('old');
    expect(r.problems).toHaveLength(2);
    expect([...(r.unverifiable.get(`${DAY}#E1`) ?? [])]).toEqual(
      expect.arrayContaining(['contactApplicable', 'punctual', 'suppressedOptedOut']),
    );
    expect(surveyDelta(noTimeliness).delta).toEqual({ completed: 1 });
  });
});

describe('comparing with the stored aggregates', () => {
  const surveys = [
    survey({
      status: 'answered',
      sentAt: '2026-11-20T03:00:00Z',
      rating: 1,
      timeliness: tl(true, null, null),
    }),
    survey({ engineerId: 'E2', status: 'suppressed', reason: 'staff_phone' }),
  ];
  const expected = recomputeAggregates(surveys, []);
  const e1 = {
    day: DAY,
    engineerId: 'E1',
    completed: 1,
    surveyed: 1,
    responses: 1,
    satisfied: 1,
    contactApplicable: 1,
    contactOnTime: 1,
  };
  const e2 = { day: DAY, engineerId: 'E2', completed: 1, suppressed: 1, suppressedStaffPhone: 1 };

  it('finds no difference when they agree (missing attributes are zero)', () => {
    expect(compareAggregates(expected, [e1, e2])).toEqual([]);
  });

  it('reports each counter that differs, with both values', () => {
    expect(compareAggregates(expected, [{ ...e1, satisfied: 2, dissatisfied: 1 }, e2])).toEqual([
      { day: DAY, engineerId: 'E1', counter: 'satisfied', stored: 2, expected: 1 },
      { day: DAY, engineerId: 'E1', counter: 'dissatisfied', stored: 1, expected: 0 },
    ]);
  });

  it('reports a missing aggregate item and an aggregate item without raw records', () => {
    const orphan = { day: '2026-11-19', engineerId: 'E9', completed: 2 };
    expect(compareAggregates(expected, [e1, orphan])).toEqual([
      { day: '2026-11-19', engineerId: 'E9', counter: 'completed', stored: 2, expected: 0 },
      { day: DAY, engineerId: 'E2', counter: 'completed', stored: 0, expected: 1 },
      { day: DAY, engineerId: 'E2', counter: 'suppressed', stored: 0, expected: 1 },
      { day: DAY, engineerId: 'E2', counter: 'suppressedStaffPhone', stored: 0, expected: 1 },
    ]);
  });

  it('leaves out days before fromDay (raw records past retention) and unverifiable counters', () => {
    const orphan = { day: '2026-11-19', engineerId: 'E9', completed: 2 };
    expect(compareAggregates(expected, [e1, e2, orphan], { fromDay: DAY })).toEqual([]);
    const { timeliness: _t, ...old } = survey({
      status: 'answered',
      sentAt: '2026-11-20T03:00:00Z',
      rating: 1,
    });
    const withOld = recomputeAggregates([old], []);
    // the stored timeliness cannot be checked, everything else still is
    expect(compareAggregates(withOld, [{ ...e1, satisfied: 3 }])).toEqual([
      { day: DAY, engineerId: 'E1', counter: 'satisfied', stored: 3, expected: 1 },
    ]);
  });

  it('checks every counter of the aggregate', () => {
    for (const counter of counters) {
      const diffs = compareAggregates(expected, [
        { ...e1, [counter]: (((e1 as Record<string, unknown>)[counter] as number) ?? 0) + 1 },
        e2,
      ]);
      expect(diffs.map((d) => d.counter)).toEqual([counter]);
    }
  });

  it('prints the differences as a table', () => {
    const text = formatDifferences([
      { day: DAY, engineerId: 'E1', counter: 'satisfied', stored: 2, expected: 1 },
    ]);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(/satisfied\s+2\s+1\s+\+1$/);
  });
});

describe('monthly roll-ups', () => {
  const surveys = [
    survey({ team: 'T1', status: 'answered', sentAt: '2026-11-20T03:00:00Z', rating: 1 }),
    survey({ team: 'T1', day: '2026-11-02', status: 'answered', sentAt: '2026-11-02T03:00:00Z', rating: 3 }),
    // the same engineer after a move to T2, and in December
    survey({ team: 'T2', day: '2026-11-25', status: 'expired', sentAt: '2026-11-25T03:00:00Z' }),
    survey({ team: 'T2', day: '2026-12-01' }),
  ];
  const callbacks = [cb({ team: 'T1', day: '2026-11-02', status: 'closed', outcome: 'unreachable' })];
  const expected = recomputeAggregates(surveys, callbacks);
  const t1 = {
    month: '2026-11',
    team: 'T1',
    engineerId: 'E1',
    completed: 2,
    surveyed: 2,
    responses: 2,
    satisfied: 1,
    dissatisfied: 1,
    callbacksOpened: 1,
    callbacksClosed: 1,
    callbacksUnreachable: 1,
  };
  const t2 = { month: '2026-11', team: 'T2', engineerId: 'E1', completed: 1, surveyed: 1, expired: 1 };
  const dec = { month: '2026-12', team: 'T2', engineerId: 'E1', completed: 1 };

  it('sums the days of each month, team and engineer', () => {
    expect([...expected.rollups.keys()].sort()).toEqual(
      [
        rollupId('2026-11', 'T1', 'E1'),
        rollupId('2026-11', 'T2', 'E1'),
        rollupId('2026-12', 'T2', 'E1'),
      ].sort(),
    );
    expect(expected.rollups.get(rollupId('2026-11', 'T1', 'E1'))?.counts).toMatchObject({
      completed: 2,
      responses: 2,
      callbacksUnreachable: 1,
    });
    expect(compareRollups(expected, [t1, t2, dec])).toEqual([]);
  });

  it('reports each counter that differs, a missing roll-up and one without raw records', () => {
    expect(compareRollups(expected, [{ ...t1, satisfied: 3 }, t2, dec])).toEqual([
      { month: '2026-11', team: 'T1', engineerId: 'E1', counter: 'satisfied', stored: 3, expected: 1 },
    ]);
    const stray = { month: '2026-11', team: 'T9', engineerId: 'E1', completed: 1 };
    expect(compareRollups(expected, [t1, stray, dec])).toEqual([
      { month: '2026-11', team: 'T2', engineerId: 'E1', counter: 'completed', stored: 0, expected: 1 },
      { month: '2026-11', team: 'T2', engineerId: 'E1', counter: 'surveyed', stored: 0, expected: 1 },
      { month: '2026-11', team: 'T2', engineerId: 'E1', counter: 'expired', stored: 0, expected: 1 },
      { month: '2026-11', team: 'T9', engineerId: 'E1', counter: 'completed', stored: 1, expected: 0 },
    ]);
  });

  it('checks every counter, and only months wholly within the retention', () => {
    for (const counter of counters) {
      const diffs = compareRollups(expected, [
        { ...t1, [counter]: (((t1 as Record<string, unknown>)[counter] as number) ?? 0) + 1 },
        t2,
        dec,
      ]);
      expect(diffs.map((d) => d.counter)).toEqual([counter]);
    }
    // raw records from 2026-11-05 on: November may have lost some, December is checked
    expect(compareRollups(expected, [], { fromDay: '2026-11-05' }).map((d) => d.month)).toEqual(['2026-12']);
    expect(compareRollups(expected, [t1, t2, dec], { fromDay: '2026-11-01' })).toEqual([]);
  });

  it('leaves out what the raw records cannot tell, on the roll-up as on the day', () => {
    const { timeliness: _t, ...old } = survey({ team: 'T1' });
    const r = recomputeAggregates([old], []);
    const stored = { month: '2026-11', team: 'T1', engineerId: 'E1', completed: 1, contactApplicable: 5 };
    expect(compareRollups(r, [stored])).toEqual([]);
    expect(compareRollups(r, [{ ...stored, completed: 2 }]).map((d) => d.counter)).toEqual(['completed']);
  });

  it('prints the roll-up differences as a table', () => {
    const text = formatRollupDifferences([
      { month: '2026-11', team: '装维一班', engineerId: 'E1', counter: 'satisfied', stored: 2, expected: 1 },
    ]);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toMatch(/^month\s+team\s+engineerId\s+counter\s+stored\s+expected\s+stored-expected$/m);
    expect(text).toMatch(/^2026-11\s+装维一班\s+E1\s+satisfied\s+2\s+1\s+\+1$/m);
  });
});

describe('strandedItem: accepted work not done in time', () => {
  const at = new Date('2026-11-20T03:00:00Z');
  const ticket = (over: Record<string, unknown> = {}) => ({
    pk: 'TICKET#ossA#T1',
    sk: 'TICKET',
    type: 'ticket',
    receivedAt: '2026-11-20T02:40:00.000Z',
    gsi1pk: 'DUE#7',
    gsi1sk: '2026-11-20T02:40:00.000Z#TICKET#ossA#T1',
    ...over,
  });

  it('reports a completion never planned once it is older than the allowed age, once', () => {
    expect(strandedItem(ticket(), at)).toEqual({
      pk: 'TICKET#ossA#T1',
      sk: 'TICKET',
      type: 'ticket',
      since: '2026-11-20T02:40:00.000Z',
      message: 'accepted, never planned',
    });
    expect(strandedItem(ticket(), at, 30 * 60_000)).toBeUndefined();
    // never planned and out of the due index altogether: still stranded
    expect(strandedItem(ticket({ gsi1pk: undefined, gsi1sk: undefined }), at)?.message).toBe(
      'accepted, never planned',
    );
    expect(
      strandedItem(ticket({ plannedAt: '2026-11-20T02:41:00.000Z', gsi1pk: undefined }), at),
    ).toBeUndefined();
  });

  it('reports anything in the due index past its time by more than the allowed age', () => {
    const survey = (due: string) => ({
      pk: 'SURVEY#s1',
      sk: 'SURVEY',
      type: 'survey',
      gsi1pk: 'DUE#3',
      gsi1sk: `${due}#SURVEY#s1`,
    });
    expect(strandedItem(survey('2026-11-20T02:44:59.999Z'), at)).toMatchObject({
      since: '2026-11-20T02:44:59.999Z',
      message: 'due, not handled',
    });
    expect(strandedItem(survey('2026-11-20T02:50:00.000Z'), at)).toBeUndefined();
    expect(strandedItem(survey('2026-11-25T00:00:00.000Z'), at)).toBeUndefined();
    const { gsi1pk: _p, gsi1sk: _s, ...closed } = survey('2026-11-19T00:00:00.000Z');
    expect(strandedItem(closed, at)).toBeUndefined();
  });
});

describe('strandedInQueues: surveys queued that nobody will send', () => {
  const s = (surveyId: string, status: string, phone = '+8613800138000') => ({
    pk: `SURVEY#${surveyId}`,
    sk: 'SURVEY',
    surveyId,
    phone,
    status,
    dueAt: '2026-11-20T02:20:00.000Z',
  });
  const phone = { phone: '+8613800138000', openSurveyId: 'a', waiting: ['b', 'c'] };

  it('nothing while an open survey, or one released from the queue, holds the turn', () => {
    expect(strandedInQueues([s('a', 'sent'), s('b', 'waiting'), s('c', 'waiting')], [phone])).toEqual([]);
    expect(
      strandedInQueues(
        [s('a', 'answered'), s('x', 'scheduled'), s('c', 'waiting')],
        [{ ...phone, openSurveyId: undefined, waiting: ['c'] }],
      ),
    ).toEqual([]);
  });

  it('a queue behind a closed survey or none, and a waiting survey missing from the queue', () => {
    expect(
      strandedInQueues(
        [s('a', 'answered'), s('b', 'waiting'), s('c', 'waiting'), s('d', 'waiting')],
        [phone],
      ).map((x) => [x.pk, x.message]),
    ).toEqual([
      ['SURVEY#b', 'waiting behind no open survey'],
      ['SURVEY#c', 'waiting behind no open survey'],
      ['SURVEY#d', "waiting, not in its phone's queue"],
    ]);
    expect(strandedInQueues([s('b', 'waiting')], [])[0]?.message).toBe("waiting, not in its phone's queue");
  });
});
