import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startReplyReceiver } from '../helpers/reply-receiver.ts';

/**
 * The AWS side of the reply to the work order: the scheduler's hand-off to SQS and the queue
 * consumer (functions/work-order-reply), on the real table (DynamoDB Local) and a real HTTP
 * receiver; only the SQS client is a stand-in (it records the commands it is given).
 */
const receiver = await startReplyReceiver();
const SECRET = 'whsec_cXVldWUtdGVzdC1yZXBseS1zZWNyZXQtZm9yLW9zc1I=';
const deps = testDeps({
  rules: { sources: { ossR: { replyUrl: receiver.url('/hook') } } },
  env: { REPLY_SECRETS: JSON.stringify({ ossR: SECRET }) },
});

import { consumeReplies as consumeRepliesOn } from '#functions/work-order-reply/handler';
import { forwardReply as forward } from '#shared/app/work-order-replies/forward';
import { backoffDelayMs, REPLY_BACKOFF, replyQueueMaxReceives } from '#shared/domain/backoff';
import { MAX_VISIBILITY_SECONDS, replyQueue } from '#shared/gateways/work-order-queue';
import { transact } from '#shared/store/tx';
import { getReply, workOrderReplyOnClose } from '#shared/store/work-order-reply';
import { now, pinClock, testDeps } from '../helpers/deps.ts';

type StoredReply = NonNullable<Awaited<ReturnType<typeof getReply>>>;
/** The scheduler's hand-off to the queue, on the SQS stand-in. */
const forwardReply = (item: StoredReply, at: Date, port: ReturnType<typeof fakeSqs>, queueUrl: string) =>
  forward(item, at, replyQueue(port, queueUrl));
/** The queue consumer (functions/work-order-reply) on the SQS stand-in. */
const consumeReplies = (port: ReturnType<typeof fakeSqs>, queueUrl: string, maxReceives?: number) =>
  consumeRepliesOn({ ...deps, replyQueue: replyQueue(port, queueUrl) }, maxReceives);
receiver.useClock(now);
afterAll(() => receiver.close());

const QUEUE_URL = 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/work-order-replies';

type Command = SendMessageCommand | ChangeMessageVisibilityCommand;
/** The SQS client stand-in: records commands; `fail` makes the next sends throw. */
function fakeSqs() {
  const commands: Command[] = [];
  const port = {
    fail: false,
    commands,
    async send(command: Command): Promise<unknown> {
      if (port.fail) throw new Error('SQS unavailable');
      commands.push(command);
      return {};
    },
    visibility: () =>
      commands
        .filter((c): c is ChangeMessageVisibilityCommand => c instanceof ChangeMessageVisibilityCommand)
        .map((c) => c.input),
    sent: () =>
      commands.filter((c): c is SendMessageCommand => c instanceof SendMessageCommand).map((c) => c.input),
  };
  return port;
}

let seq = 0;
/** A closed survey of source ossR: its reply item, written as the closing transaction writes it. */
async function closedSurvey(): Promise<string> {
  seq++;
  const surveyId = `sv-queue-${seq}-${Date.now()}`;
  await transact(
    workOrderReplyOnClose(
      { surveyId, ticketId: `T-${seq}`, source: 'ossR' },
      { status: 'answered', rating: 3 },
      now(),
    ),
  );
  return surveyId;
}

function record(
  surveyId: string | string,
  messageId: string,
  receiveCount: number,
  body?: string,
): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}-${receiveCount}`,
    body: body ?? JSON.stringify({ surveyId }),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.now()),
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws-cn:sqs:cn-north-1:123456789012:work-order-replies',
    awsRegion: 'cn-north-1',
  };
}
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

const at = (d: Date | string) => pinClock(new Date(d));

async function stored(surveyId: string) {
  const item = await getReply(surveyId);
  if (!item) throw new Error(`no reply for ${surveyId}`);
  return item;
}

describe('the scheduler hands due replies to the queue', () => {
  beforeEach(() => at('2026-11-20T02:00:00Z'));

  it('one message with the id only, the reply marked queued once', async () => {
    const surveyId = await closedSurvey();
    const sqs = fakeSqs();
    const item = await stored(surveyId);
    expect(await forwardReply(item, now(), sqs, QUEUE_URL)).toBe('repliesQueued');
    // The same stale read again (a second scheduler): nothing more is sent.
    expect(await forwardReply(item, now(), sqs, QUEUE_URL)).toBe('skipped');
    expect(sqs.sent()).toEqual([{ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify({ surveyId }) }]);
    expect(await getReply(surveyId)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(receiver.about(surveyId)).toHaveLength(0);
  });

  it('a failed send leaves the reply pending for the next run', async () => {
    const surveyId = await closedSurvey();
    const sqs = fakeSqs();
    sqs.fail = true;
    await expect(forwardReply(await stored(surveyId), now(), sqs, QUEUE_URL)).rejects.toThrow(
      /SQS unavailable/,
    );
    const after = await stored(surveyId);
    expect(after).toMatchObject({ status: 'pending' });
    expect(after.gsi1sk?.startsWith(now().toISOString())).toBe(true);
    sqs.fail = false;
    expect(await forwardReply(after, now(), sqs, QUEUE_URL)).toBe('repliesQueued');
    expect(sqs.sent()).toHaveLength(1);
  });

  it('a message never received is sent again after 15 minutes; once received, never', async () => {
    const surveyId = await closedSurvey();
    const sqs = fakeSqs();
    await forwardReply(await stored(surveyId), now(), sqs, QUEUE_URL);
    at('2026-11-20T02:10:00Z');
    expect(await forwardReply(await stored(surveyId), now(), sqs, QUEUE_URL)).toBe('skipped');
    at('2026-11-20T02:16:00Z');
    expect(await forwardReply(await stored(surveyId), now(), sqs, QUEUE_URL)).toBe('repliesRequeued');
    expect(sqs.sent()).toHaveLength(2);

    await consumeReplies(sqs, QUEUE_URL)(batch(record(surveyId, 'm-watch', 1)));
    expect(await getReply(surveyId)).toMatchObject({ status: 'delivered' });
    // The duplicate message is deleted without another POST.
    const res = await consumeReplies(sqs, QUEUE_URL)(batch(record(surveyId, 'm-watch-dup', 1)));
    expect(res.batchItemFailures).toEqual([]);
    expect(receiver.about(surveyId)).toHaveLength(1);
  });
});

describe('the queue consumer (functions/work-order-reply)', () => {
  beforeEach(() => at('2026-11-20T02:00:00Z'));

  it('delivers a signed reply and deletes the message', async () => {
    const surveyId = await closedSurvey();
    const sqs = fakeSqs();
    const res = await consumeReplies(sqs, QUEUE_URL)(batch(record(surveyId, 'm-ok', 1)));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(sqs.commands).toHaveLength(0);
    const [req] = receiver.about(surveyId);
    expect(
      new Webhook(SECRET).verify(req?.body ?? '', {
        'webhook-id': String(req?.headers['webhook-id']),
        'webhook-timestamp': String(req?.headers['webhook-timestamp']),
        'webhook-signature': String(req?.headers['webhook-signature']),
      }),
    ).toMatchObject({ surveyId, status: 'answered', rating: 3 });
    expect(await getReply(surveyId)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      ownerMessageId: 'm-ok',
    });
  });

  it('a failure: reported as a batch item failure, visible again after the backoff delay; then delivered', async () => {
    const failing = await closedSurvey();
    const fine = await closedSurvey();
    receiver.answer(failing, (n) => (n === 0 ? 500 : 200));
    const sqs = fakeSqs();
    const consume = consumeReplies(sqs, QUEUE_URL);

    const res = await consume(batch(record(failing, 'm-f', 1), record(fine, 'm-fine', 1)));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-f' }]);
    const [vis, ...more] = sqs.visibility();
    expect(more).toHaveLength(0);
    expect(vis).toMatchObject({ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh-m-f-1' });
    expect(vis?.VisibilityTimeout).toBeGreaterThanOrEqual(backoffDelayMs(1, 0) / 1000);
    expect(vis?.VisibilityTimeout).toBeLessThanOrEqual(Math.ceil(backoffDelayMs(1, 1) / 1000));
    const item = await getReply(failing);
    expect(item).toMatchObject({ status: 'queued', attempts: 1, lastError: 'HTTP 500' });
    expect(item?.gsi1pk).toBeUndefined(); // SQS owns the retries: not in the due index
    expect(await getReply(fine)).toMatchObject({ status: 'delivered' });

    // SQS hands it back when the visibility timeout ends.
    at(new Date(now().getTime() + (vis?.VisibilityTimeout ?? 0) * 1000));
    const again = await consume(batch(record(failing, 'm-f', 2)));
    expect(again.batchItemFailures).toEqual([]);
    expect(await getReply(failing)).toMatchObject({ status: 'delivered', attempts: 2 });
    const reqs = receiver.about(failing);
    expect(reqs.map((r) => r.headers['webhook-id'])).toEqual([`msg_wo_${failing}`, `msg_wo_${failing}`]);
  });

  it('always failing: retried through the visibility timeout for 24 hours, then dead and left to the DLQ', async () => {
    const surveyId = await closedSurvey();
    receiver.answer(surveyId, () => 502);
    const sqs = fakeSqs();
    const consume = consumeReplies(sqs, QUEUE_URL);
    const first = now().getTime();
    let receives = 0;
    for (let i = 0; i < 100; i++) {
      receives++;
      const res = await consume(batch(record(surveyId, 'm-dead', receives)));
      expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-dead' }]);
      const vis = sqs.visibility().at(-1)?.VisibilityTimeout ?? -1;
      expect(vis).toBeLessThanOrEqual(MAX_VISIBILITY_SECONDS);
      if (vis === 0) break;
      at(new Date(now().getTime() + vis * 1000));
    }
    const item = await getReply(surveyId);
    expect(item).toMatchObject({ status: 'dead', lastError: 'HTTP 502 (retried for 24 hours)' });
    expect(Date.parse(item?.deadAt ?? '')).toBeGreaterThanOrEqual(first + REPLY_BACKOFF.windowMs);
    expect(receiver.about(surveyId)).toHaveLength(receives);
    expect(receives).toBeLessThan(replyQueueMaxReceives());

    // Received again on its way to the DLQ: no POST, visible at once, still failed.
    const res = await consume(batch(record(surveyId, 'm-dead', receives + 1)));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-dead' }]);
    expect(sqs.visibility().at(-1)?.VisibilityTimeout).toBe(0);
    expect(receiver.about(surveyId)).toHaveLength(receives);
  });

  it('the last receive SQS allows: dead now, whatever time is left', async () => {
    const surveyId = await closedSurvey();
    receiver.answer(surveyId, () => 500);
    const sqs = fakeSqs();
    const max = 3;
    const res = await consumeReplies(sqs, QUEUE_URL, max)(batch(record(surveyId, 'm-last', max)));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-last' }]);
    expect(sqs.visibility()[0]?.VisibilityTimeout).toBe(0);
    expect(await getReply(surveyId)).toMatchObject({
      status: 'dead',
      lastError: 'HTTP 500 (out of deliveries)',
    });
  });

  it('a 4xx refusal is dead at once', async () => {
    const surveyId = await closedSurvey();
    receiver.answer(surveyId, () => 404);
    const sqs = fakeSqs();
    const res = await consumeReplies(sqs, QUEUE_URL)(batch(record(surveyId, 'm-404', 1)));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-404' }]);
    expect(sqs.visibility()[0]?.VisibilityTimeout).toBe(0);
    expect(await getReply(surveyId)).toMatchObject({ status: 'dead', attempts: 1 });
  });

  it('a malformed message is reported failed (to the DLQ), an unknown reply is dropped', async () => {
    const sqs = fakeSqs();
    const res = await consumeReplies(
      sqs,
      QUEUE_URL,
    )(batch(record('', 'm-bad', 1, 'not json'), record('no-such-survey', 'm-unknown', 1)));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }]);
  });

  it('a visibility change that fails still reports the failure', async () => {
    const surveyId = await closedSurvey();
    receiver.answer(surveyId, () => 500);
    const sqs = fakeSqs();
    sqs.fail = true;
    const res = await consumeReplies(sqs, QUEUE_URL)(batch(record(surveyId, 'm-vis', 1)));
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: 'm-vis' }]);
    expect(await getReply(surveyId)).toMatchObject({ status: 'queued', attempts: 1 });
  });
});
