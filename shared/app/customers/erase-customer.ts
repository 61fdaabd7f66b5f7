import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ForbiddenError, ValidationError } from '#shared/app/errors';
import { planTicket } from '#shared/app/tickets/complete-ticket';
import { maskPhone, normalizeCnMobile } from '#shared/domain/phone';
import type { Principal } from '#shared/http/auth';
import { now } from '#shared/runtime/clock';
import { logger } from '#shared/runtime/log';
import { aggregateUpdates } from '#shared/store/aggregate';
import { callbackKey } from '#shared/store/callback';
import { ddb, TABLE } from '#shared/store/client';
import { getPhoneState, leaveTurn, phoneKey } from '#shared/store/phone-state';
import { queryAll } from '#shared/store/query';
import { getSurvey, type SurveyItem, surveyKey, updateSurvey } from '#shared/store/survey';
import { REGION_INDEX } from '#shared/store/table';
import { type TicketItem, ticketKey } from '#shared/store/ticket';
import { TxConditionFailed, transact } from '#shared/store/tx';
import { replyKey } from '#shared/store/work-order-reply';

export interface ErasureResult {
  phone: string;
  surveys: number;
  messages: number;
  /** An opted-out number is kept (only the number and the opt-out) so that it is never texted again. */
  optOutKept: boolean;
}

/**
 * Erases one customer's personal data everywhere (domain.md section 7), keeping the figures:
 * surveys, tickets, callback cases and replies keep their ratings and counts but lose the phone
 * (masked) and the free text; SMS records are deleted; the phone state is deleted unless it
 * holds an opt-out. Found through the CUST#{phone} index, never by Scan. Safe to repeat.
 */
export async function eraseCustomer(principal: Principal, rawPhone: string): Promise<ErasureResult> {
  if (principal.role !== 'admin') throw new ForbiddenError();
  const phone = normalizeCnMobile(rawPhone);
  if (!phone)
    throw new ValidationError([{ field: 'phone', message: 'must be a mainland China mobile number' }]);
  const masked = maskPhone(phone);
  const at = now().toISOString();
  let surveys = 0;
  let messages = 0;

  // Completions accepted but not planned yet are planned first, so that what they create is
  // erased below with everything else (and no survey is planned afterwards from clear data).
  await planPendingTickets(phone);

  for (const item of await customerRecords(phone)) {
    if (item.type === 'sms') {
      await ddb.send(new DeleteCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }));
      messages++;
    } else if (item.type === 'survey') {
      await cancelUnsent(item as SurveyItem, at);
      await eraseSurvey(item as SurveyItem, masked, at);
      surveys++;
    }
  }

  const state = await getPhoneState(phone);
  const optOutKept = state.optedOut === true;
  if (!optOutKept && state.version > 0) {
    await ddb.send(new DeleteCommand({ TableName: TABLE, Key: phoneKey(phone) }));
  }
  logger.info('customer erased', { phone: masked, surveys, messages, optOutKept });
  return { phone: masked, surveys, messages, optOutKept };
}

/** The customer's raw records (the CUST#{phone} index entries), of one kind if `skPrefix` is given. */
function customerRecords<T = { type: string; pk: string; sk: string }>(phone: string, skPrefix?: string) {
  return queryAll<T>({
    IndexName: REGION_INDEX,
    KeyConditionExpression: skPrefix ? 'gsi3pk = :pk AND begins_with(gsi3sk, :sk)' : 'gsi3pk = :pk',
    ExpressionAttributeValues: { ':pk': `CUST#${phone}`, ...(skPrefix ? { ':sk': skPrefix } : {}) },
  });
}

async function planPendingTickets(phone: string): Promise<void> {
  for (const item of await customerRecords<TicketItem>(phone, 'TICKET#')) await planTicket(item, now());
}

/**
 * A survey not sent yet (scheduled, or queued behind another) is cancelled: it must never go out
 * to the masked number. Counted as cancelled, like a survey cancelled by a reopen. Decided on the
 * survey's and the phone's fresh state (the listing read earlier may be stale: a release may have
 * made a queued survey due since), and taken out of the phone's queue in the same transaction.
 */
async function cancelUnsent(listed: SurveyItem, at: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const s = await getSurvey(listed.surveyId);
    if (!s || (s.status !== 'scheduled' && s.status !== 'waiting')) return; // sent: erased like the others
    const phone = await getPhoneState(s.phone);
    try {
      await transact([
        updateSurvey(
          s.surveyId,
          s.status,
          { status: 'cancelled', reason: 'erased', closedAt: at },
          { due: null },
        ),
        ...aggregateUpdates(s.day, s, { cancelled: 1 }),
        ...leaveTurn(phone, s.surveyId, new Date(at)),
      ]);
      return;
    } catch (err) {
      if (!(err instanceof TxConditionFailed) || attempt >= 5) throw err; // changed under us: look again
    }
  }
}

/** Applies an update to an item if it exists (a survey need not have a case, a reply...). */
async function updateIfExists(
  key: Record<string, string>,
  update: string,
  names: Record<string, string>,
  values?: Record<string, unknown>,
): Promise<void> {
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

async function eraseSurvey(
  s: { surveyId: string; source: string; ticketId: string },
  masked: string,
  at: string,
) {
  const comment = { '#comment': 'comment' };
  const maskedValues = { ':m': masked, ':at': at };
  await updateIfExists(
    surveyKey(s.surveyId),
    'SET phone = :m, erasedAt = :at REMOVE #comment, gsi3pk, gsi3sk',
    comment,
    maskedValues,
  );
  await updateIfExists(
    ticketKey(s.source, s.ticketId),
    'SET #t.#c = :c',
    { '#t': 'ticket', '#c': 'customer' },
    {
      ':c': { phone: masked, erasedAt: at },
    },
  );
  await updateIfExists(
    callbackKey(s.surveyId),
    'SET phone = :m, erasedAt = :at REMOVE #comment',
    comment,
    maskedValues,
  );
  await updateIfExists(replyKey(s.surveyId), 'REMOVE #p.#comment', { '#p': 'payload', ...comment });
}
