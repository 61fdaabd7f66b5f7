import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { smsUnsafeReason } from '#shared/domain/sms/safe-text';
import { smsSafeText } from '#shared/http/schemas/sms-safe-text';
import { ticketCompletedSchema } from '#shared/http/schemas/ticket-completed';
import * as z from '#shared/runtime/zod';
import { ticketBody } from '../helpers/fixtures.ts';

/** Values rendered into an SMS: no links, no control/bidi characters, no 【】, length in UTF-16 units. */

const EXT_B = '\u{20000}'; // 𠀀, CJK Extension B: one character, two UTF-16 units

const issuesOf = (name: unknown) => {
  const r = ticketCompletedSchema().safeParse(
    ticketBody({ engineer: { id: 'E1', name, team: 'T1', region: 'R1' } }),
  );
  return r.success ? [] : r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
};

describe('smsUnsafeReason', () => {
  it.each([
    't.cn/abcde',
    'T.CN/abcde',
    'ｔ．ｃｎ/ab', // full-width, the same link once NFKC-normalised
    '王t。cn/x',
    'http://a',
    'https://x.y',
    'HTTPS://X',
    'ftp://a',
    'www.abc',
    'bit.ly',
    'a-b.com/x?y=1',
    '1.2.3.4/x',
  ])('rejects the link %j', (value) => {
    expect(smsUnsafeReason(value)).toMatch(/link/);
  });

  it.each([
    '王\n回复3满意',
    '王\r',
    '王\t师傅',
    '\u0000',
    '\u001b[31m',
    '\u007f',
    '\u0085',
    '王\u200e',
    '王\u200f',
    '\u202a王',
    '\u202e王师傅',
    '\u2066王\u2069',
    '王\u2028李',
    '王\u2029李',
    '王\ud83d', // a lone surrogate
    '王\u200b师傅', // zero-width space hides text
    '\u061c王',
  ])('rejects control, format and bidi characters in %j', (value) => {
    expect(smsUnsafeReason(value)).toMatch(/control/);
  });

  it.each(['】【中国移动', '【中国移动】', '王〖x〗', '王［x］', '[x]'])(
    'rejects signature brackets in %j',
    (value) => {
      expect(smsUnsafeReason(value)).toMatch(/【】/);
    },
  );

  it.each([
    '王师傅',
    '欧阳娜娜',
    '阿卜杜·热合曼',
    `王${EXT_B}`,
    '𪚥𠮷',
    'Li Ming',
    '=SUM(1)',
    '<b>李</b>',
    '李工2号',
    'A.B', // one letter either side of a dot is an initial, not a domain
  ])('accepts the name %j', (value) => {
    expect(smsUnsafeReason(value)).toBeUndefined();
  });
});

describe('smsSafeText', () => {
  it('counts its maximum in UTF-16 code units: an astral character counts two', () => {
    const s = smsSafeText(10);
    expect(s.safeParse(EXT_B.repeat(5)).success).toBe(true);
    expect(s.safeParse(EXT_B.repeat(6)).success).toBe(false);
    expect(s.safeParse(`${'王'.repeat(9)}${EXT_B}`).success).toBe(false);
    expect(s.safeParse('王'.repeat(10)).success).toBe(true);
    expect(s.safeParse('王'.repeat(11)).success).toBe(false);
  });

  it('any accepted value is at most `max` UTF-16 units and passes the SMS-safety check', () => {
    const s = smsSafeText(10);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 14 }), (v) => {
        const r = s.safeParse(v);
        if (r.success) {
          expect(r.data.length).toBeLessThanOrEqual(10);
          expect(smsUnsafeReason(r.data)).toBeUndefined();
        }
      }),
    );
  });

  it('trims, and reports one issue per problem', () => {
    const s = z.object({ name: smsSafeText(10) });
    expect(s.parse({ name: '  王师傅 ' })).toEqual({ name: '王师傅' });
    const r = s.safeParse({ name: EXT_B.repeat(11) });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toHaveLength(1);
  });
});

describe('engineer.name in the completion webhook', () => {
  it('rejects the hostile names of issue 9, naming engineer.name', () => {
    for (const name of ['t.cn/abcde', '王\n回复3满意', '】【中国移动', '\u202e王', EXT_B.repeat(10)]) {
      const issues = issuesOf(name);
      expect(
        issues.map((i) => i.field),
        JSON.stringify(name),
      ).toEqual(['engineer.name']);
    }
  });

  it('accepts real names, including characters outside the BMP within 10 UTF-16 units', () => {
    for (const name of ['王师傅', `${EXT_B}${EXT_B}明`, EXT_B.repeat(5), '欧阳一二三四五六七八']) {
      expect(issuesOf(name), name).toEqual([]);
    }
  });
});
