import { describe, expect, it } from 'vitest';
import { callMix, callSequence, parseLabel } from '../bench/dynamo-bare.ts';
import { isDelivery } from '../bench/survey-cost.ts';

// The bare load's pure parts (test/bench/dynamo-bare.ts): meter labels to calls, the mix, its order.
describe('parseLabel', () => {
  it('reads single-item calls and queries, with or without an index', () => {
    expect(parseLabel('Get SURVEY')).toEqual({ op: 'Get' });
    expect(parseLabel('Update SMS')).toEqual({ op: 'Update' });
    expect(parseLabel('Put LOCAL')).toEqual({ op: 'Put' });
    expect(parseLabel('Query gsi1 DUE')).toEqual({ op: 'Query', index: 'gsi1' });
    expect(parseLabel('Query AGG')).toEqual({ op: 'Query' });
  });
  it('reads a transaction as its parts, in order', () => {
    expect(parseLabel('TransactWrite[Update:TICKET,Put:SURVEY,ConditionCheck:PHONE,Delete:X]')).toEqual({
      op: 'TransactWrite',
      parts: ['Update', 'Put', 'ConditionCheck', 'Delete'],
    });
  });
  it('leaves out what the bare load does not replay', () => {
    expect(parseLabel('BatchGet ?')).toBeUndefined();
    expect(parseLabel('Scan ?')).toBeUndefined();
    expect(parseLabel('TransactWrite[Get:X]')).toBeUndefined();
  });
});

describe('callMix', () => {
  it('is calls per item of each replayed label, most frequent first, naming those left out', () => {
    const { mix, leftOut } = callMix(
      [
        ['Get TICKET', { calls: 50 }],
        ['TransactWrite[Update:SMS,Put:MSG]', { calls: 100 }],
        ['BatchGet X', { calls: 7 }],
        ['Query gsi1 DUE', { calls: 0 }],
      ],
      200,
    );
    expect(mix).toEqual([
      {
        label: 'TransactWrite[Update:SMS,Put:MSG]',
        call: { op: 'TransactWrite', parts: ['Update', 'Put'] },
        perItem: 0.5,
      },
      { label: 'Get TICKET', call: { op: 'Get' }, perItem: 0.25 },
    ]);
    expect(leftOut).toEqual(['BatchGet X']);
  });
});

describe('callSequence', () => {
  it('calls each entry in proportion to its weight', () => {
    const seq = callSequence([0.75, 0.5, 0.25], 300);
    const counts = [0, 1, 2].map((i) => seq.filter((x) => x === i).length);
    expect(counts).toEqual([150, 100, 50]);
  });
  it('spreads them: no entry twice in a row when none has half the weight', () => {
    const seq = callSequence([1, 1, 1, 1], 40);
    expect(seq.slice(0, 4).sort()).toEqual([0, 1, 2, 3]);
    expect(seq.some((x, i) => i > 0 && x === seq[i - 1])).toBe(false);
  });
  it('is empty without weight', () => {
    expect(callSequence([0, 0], 10)).toEqual([]);
    expect(callSequence([], 10)).toEqual([]);
  });
});

describe('isDelivery (survey cost section)', () => {
  it("counts an outbox message's lease, mark sent and message-id transaction as its delivery", () => {
    expect(isDelivery('Update SMS')).toBe(true);
    expect(isDelivery('Put MSG')).toBe(true);
    expect(isDelivery('TransactWrite[Update:SMS,Put:MSG]')).toBe(true);
  });
  it("leaves the step's own writes with the step, even those that write an SMS", () => {
    expect(isDelivery('TransactWrite[Update:SURVEY,Update:AGG,Update:AGGM,Put:SMS]')).toBe(false);
    expect(isDelivery('Get SMS')).toBe(false);
    expect(isDelivery('Update SMSX')).toBe(false);
  });
});
