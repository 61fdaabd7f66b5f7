import { randomUUID } from 'node:crypto';
import type { Deps } from '#shared/app/deps';
import { runDueWork } from '#shared/app/scheduler/run-due-work';
import { handleInboundSms } from '#shared/app/surveys/handle-inbound-sms';
import { acceptTicket } from '#shared/app/tickets/complete-ticket';
import { listAlerts } from '#shared/gateways/alerts/local';
import { listOutbox } from '#shared/gateways/sms/outbox';
import { ticketCompletedSchemaAt } from '#shared/http/schemas/ticket-completed';
import type { PinnableClock } from '#shared/runtime/clock';
import { measure, sumUsage, type Usage } from './meter.ts';

/**
 * Section 3: the capacity one survey costs, step by step, through the use cases in-process with
 * the clock pinned: webhook -> completion planned by the scheduler -> survey sent by the scheduler -> rating 3 (reasons question, callback
 * case, supervisors' alert) -> reasons (thank-you). Plus what the scheduler costs when nothing is
 * due (the part amortised over all surveys) and the later callback deadline check.
 */
export interface Step {
  name: string;
  what: string;
  usage: Usage;
  /** Minimum the design needs: item writes and eventually consistent reads of at most 1 KB. */
  minWrites: number;
  minReads: number;
  minWhy: string;
}

export interface SurveyCostResult {
  steps: Step[];
  idleTick: Usage;
  callbackCheck: Usage;
  sms: { template: string; segments: number; chars: number }[];
  alerts: number;
  dueShards: number;
}

/**
 * Commands that deliver an outbox message, not record the step: the lease (`Update SMS`, none for an
 * SMS its step wrote leased), the alert's mark sent (`Update SMS`), an SMS's mark sent with its
 * message-id record in one transaction (`TransactWrite[Update:SMS,Put:MSG]`), or the record alone.
 */
export const isDelivery = (label: string) =>
  /^(Update SMS|Put MSG)\b/.test(label) || label === 'TransactWrite[Update:SMS,Put:MSG]';

export function split(u: Usage, keep: (label: string) => boolean): Usage {
  const out = sumUsage([]);
  for (const [label, l] of u.byLabel) {
    if (!keep(label)) continue;
    out.byLabel.set(label, { ...l });
    out.calls += l.calls;
    out.rcu += l.rcu;
    out.wcu += l.wcu;
    out.gsi += l.gsi;
  }
  return out;
}

export async function runSurveyCost(
  local: { deps: Deps; clock: PinnableClock },
  dueShards: number,
): Promise<SurveyCostResult> {
  const { deps } = local;
  const pinClock = (at: Date | undefined) => local.clock.pin(at);
  const phone = '13912345678';
  const e164 = `+86${phone}`;
  const at = (iso: string) => pinClock(new Date(iso));
  const reply = (body: string) =>
    handleInboundSms(deps, {
      originationNumber: e164,
      destinationNumber: '+8610690000',
      messageBody: body,
      inboundMessageId: `cost-${randomUUID()}`,
    });

  at('2026-12-01T10:00:00+08:00');
  const idle = await measure(() => runDueWork(deps));
  const ticket = ticketCompletedSchemaAt(local.clock).parse({
    ticketId: 'COST-0001',
    source: 'ossA',
    segment: 'home',
    kind: 'repair',
    area: 'urban',
    faultType: 'line',
    reportedAt: '2026-12-01T06:12:00+08:00',
    firstContactAt: '2026-12-01T06:40:00+08:00',
    appointmentAt: '2026-12-01T08:30:00+08:00',
    arrivedAt: '2026-12-01T08:35:00+08:00',
    completedAt: '2026-12-01T09:50:00+08:00',
    engineer: { id: 'E-cost', name: '王师傅', team: 'T-cost', region: 'R-cost' },
    customer: { phone, name: '李女士' },
  });
  const webhook = await measure(() => acceptTicket(deps, ticket));
  if (!webhook.result.created) throw new Error('the cost ticket was not created');

  at('2026-12-01T10:01:00+08:00');
  const plan = await measure(() => runDueWork(deps));
  if (plan.result.planned !== 1) throw new Error(`plan: ${JSON.stringify(plan.result)}`);

  at('2026-12-01T10:21:00+08:00');
  const send = await measure(() => runDueWork(deps));
  if (send.result.surveysSent !== 1) throw new Error(`send: ${JSON.stringify(send.result)}`);

  at('2026-12-01T10:30:00+08:00');
  const rating = await measure(() => reply('3'));
  if (rating.result !== 'rated') throw new Error(`rating: ${rating.result}`);

  at('2026-12-01T10:33:00+08:00');
  const reasons = await measure(() => reply('1 5 师傅迟到了'));
  if (reasons.result !== 'reasons') throw new Error(`reasons: ${reasons.result}`);

  at('2026-12-02T10:40:00+08:00');
  const callbackCheck = await measure(() => runDueWork(deps));
  pinClock(undefined);

  const sent = await listOutbox(e164);
  const templates = ['survey', 'reasons question', 'thank-you'];
  const sms = sent.map((m, i) => ({
    template: templates[i] ?? `message ${i + 1}`,
    segments: m.segments,
    chars: [...m.body].length,
  }));
  const alerts = (await listAlerts()).length;

  const steps: Step[] = [
    {
      name: 'webhook',
      what: 'acceptTicket: one conditional write of the ticket (due index, erasure index)',
      usage: webhook.usage,
      minWrites: 1,
      minReads: 0,
      minWhy: 'write the ticket',
    },
    {
      name: 'plan (scheduler)',
      what: 'runDueWork: due-index queries, ticket and phone reads, one transaction (ticket, survey, aggregates)',
      usage: plan.usage,
      minWrites: 3,
      minReads: 1,
      minWhy: 'write survey, aggregates, mark the ticket planned; read phone state',
    },
    {
      name: 'send (scheduler)',
      what: 'runDueWork: due-index queries, survey read, send transaction (the SMS written leased in it)',
      usage: split(send.usage, (l) => !isDelivery(l)),
      minWrites: 3,
      minReads: 2,
      minWhy: 'write survey, phone state, aggregate (surveyed); query due index, read survey',
    },
    {
      name: '  survey SMS delivery',
      what: 'outbox: mark sent + message-id record in one transaction (written leased by the send: no lease call)',
      usage: split(send.usage, isDelivery),
      minWrites: 0,
      minReads: 0,
      minWhy: 'none beyond the survey write (a direct publish)',
    },
    {
      name: 'rating 3',
      what: 'handleInboundSms: dedupe read, phone + survey reads, one transaction (inbound, survey, aggregate, callback case, SMS, alert)',
      usage: split(rating.usage, (l) => !isDelivery(l)),
      minWrites: 3,
      minReads: 2,
      minWhy: 'write survey, aggregate, callback case; read phone state, survey',
    },
    {
      name: '  reasons question + alert delivery',
      what: 'outbox: lease, then mark sent + message-id record in one transaction (SMS); lease, mark sent (alert)',
      usage: split(rating.usage, isDelivery),
      minWrites: 0,
      minReads: 0,
      minWhy: 'none (direct publish)',
    },
    {
      name: 'reasons',
      what: 'handleInboundSms: dedupe read, phone + survey reads, one transaction (inbound, survey, aggregate, callback, phone, SMS)',
      usage: split(reasons.usage, (l) => !isDelivery(l)),
      minWrites: 4,
      minReads: 2,
      minWhy: 'write survey, aggregate (reasons), callback case, phone state; read phone state, survey',
    },
    {
      name: '  thank-you delivery',
      what: 'outbox: lease, then mark sent + message-id record in one transaction',
      usage: split(reasons.usage, isDelivery),
      minWrites: 0,
      minReads: 0,
      minWhy: 'none (direct publish)',
    },
  ];
  return { steps, idleTick: idle.usage, callbackCheck: callbackCheck.usage, sms, alerts, dueShards };
}
