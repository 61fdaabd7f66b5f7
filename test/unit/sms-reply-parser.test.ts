import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReasons, parseSmsReply } from '#shared/domain/sms/reply-parser';

describe('parseSmsReply', () => {
  it.each([
    ['T'],
    ['t'],
    ['TD'],
    ['td'],
    [' Td。'],
    ['退订'],
    ['【退订】'],
    ['STOP'],
    ['stop!'],
    ['Unsubscribe'],
    ['取消订阅'],
    ['ＴＤ'],
    ['\u3000退订！\n'],
    // Aliyun's hint 拒收请回复R, and N: upper, lower and full-width case
    ['R'],
    ['r'],
    ['Ｒ'],
    ['ｒ'],
    [' R。'],
    ['N'],
    ['n'],
    ['Ｎ'],
    ['ｎ！'],
  ])('%j is an opt-out', (text) => {
    expect(parseSmsReply(text)).toEqual({ type: 'opt_out' });
  });

  it.each([['T 谢谢'], ['退订了吗'], ['test'], ['R 好的'], ['No'], ['RN']])(
    '%j is not an opt-out (the whole message must be the keyword)',
    (text) => {
      expect(parseSmsReply(text).type).not.toBe('opt_out');
    },
  );

  it.each([
    ['1', 1, undefined],
    ['2', 2, undefined],
    ['3', 3, undefined],
    ['１', 1, undefined],
    ['３', 3, undefined],
    [' 2 ', 2, undefined],
    ['1。', 1, undefined],
    ['1 师傅很好！', 1, '师傅很好'],
    ['1，师傅很专业，谢谢', 1, '师傅很专业，谢谢'],
    ['3不满意，师傅迟到了一小时', 3, '不满意，师傅迟到了一小时'],
    ['2分', 2, '分'],
    ['３ 网速还是慢', 3, '网速还是慢'],
    ['满意', 1, undefined],
    ['很满意', 1, undefined],
    ['非常满意！', 1, undefined],
    ['基本满意', 2, undefined],
    ['比较满意', 2, undefined],
    ['一般', 2, undefined],
    ['还行', 2, undefined],
    ['还可以吧', 2, '吧'],
    ['不满意', 3, undefined],
    ['非常不满意', 3, undefined],
    ['很不满意', 3, undefined],
    ['不太满意', 3, undefined],
    ['不是很满意', 3, undefined],
    ['不是特别满意', 3, undefined],
    ['很差', 3, undefined],
    ['太差了', 3, '了'],
    ['差评', 3, undefined],
    ['不好', 3, undefined],
    ['没有不满意', 1, undefined],
    ['不满意，师傅迟到了', 3, '师傅迟到了'],
    ['师傅迟到了，不满意', 3, '师傅迟到了，不满意'],
    ['服务态度很好，非常满意', 1, '服务态度很好，非常满意'],
    ['不好意思回晚了，满意', 1, '不好意思回晚了，满意'],
    ['满意，但是网还是不好', 1, '但是网还是不好'],
    ['不满意，基本满意也谈不上', 3, '基本满意也谈不上'],
    ['1 不满意', 1, '不满意'],
    ['13800 满意', 1, '13800 满意'],
  ] as const)('%j -> rating %i, comment %j', (text, rating, comment) => {
    const expected = comment === undefined ? { type: 'rating', rating } : { type: 'rating', rating, comment };
    expect(parseSmsReply(text)).toEqual(expected);
  });

  it.each([
    ['', ''],
    ['   ', ''],
    ['0', '0'],
    ['4', '4'],
    ['9', '9'],
    ['13800', '13800'],
    ['12', '12'],
    [' 你好，请问是谁？ ', '你好，请问是谁？'],
    ['满意度调查太多了', '满意度调查太多了'],
    ['不好意思', '不好意思'],
    ['hello', 'hello'],
  ])('%j is unreadable (text %j kept as written)', (text, kept) => {
    expect(parseSmsReply(text)).toEqual({ type: 'unreadable', text: kept });
  });

  it('never throws and always returns one of the three shapes, for any string', () => {
    const anyString = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('1', '3', '满', '意', '不', '基', '本', '，', ' ', 'T', 'D', '１') }),
    );
    fc.assert(
      fc.property(anyString, (s) => {
        const r = parseSmsReply(s);
        expect(['opt_out', 'rating', 'unreadable']).toContain(r.type);
        if (r.type === 'rating') {
          expect([1, 2, 3]).toContain(r.rating);
          if (r.comment !== undefined) expect(r.comment).not.toBe('');
        }
      }),
      { numRuns: 500 },
    );
  });

  /** Strings that carry no rating word, digit, negation or rating-like character after NFKC. */
  const neutral = fc
    .string({ unit: 'grapheme', maxLength: 12 })
    .filter((s) => !/[\p{Nd}不没未非很基比还算一般行以差好评满意谈说度]/u.test(s.normalize('NFKC')));

  it('prefix + 不满意 + suffix is always 3', () => {
    fc.assert(
      fc.property(neutral, neutral, (prefix, suffix) => {
        const r = parseSmsReply(`${prefix}不满意${suffix}`);
        expect(r.type === 'rating' && r.rating).toBe(3);
      }),
      { numRuns: 500 },
    );
  });

  it('prefix + 满意 + suffix is always 1 when nothing negates or softens it', () => {
    fc.assert(
      fc.property(neutral, neutral, (prefix, suffix) => {
        const r = parseSmsReply(`${prefix}满意${suffix}`);
        expect(r.type === 'rating' && r.rating).toBe(1);
      }),
      { numRuns: 500 },
    );
  });

  it('full-width and ASCII digits give the same result', () => {
    const toFullWidth = (s: string) =>
      s.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0x30 + 0xff10));
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,4}$/), neutral, (digits, rest) => {
        const ascii = parseSmsReply(digits + rest);
        const wide = parseSmsReply(toFullWidth(digits) + rest);
        expect(wide.type).toBe(ascii.type);
        if (ascii.type === 'rating' && wide.type === 'rating') {
          expect(wide.rating).toBe(ascii.rating);
          expect(wide.comment).toBe(ascii.comment);
        }
        expect(ascii.type === 'rating').toBe(/^[1-3]$/.test(digits));
      }),
      { numRuns: 300 },
    );
  });

  it('a leading digit beats a rating word later in the text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1', '2', '3'),
        fc.constantFrom('满意', '基本满意', '不满意', '很差', '一般'),
        (digit, word) => {
          const r = parseSmsReply(`${digit} ${word}`);
          expect(r).toEqual({ type: 'rating', rating: Number(digit), comment: word });
        },
      ),
    );
  });
});

describe('parseReasons', () => {
  it.each([
    ['1 3', [1, 3], undefined],
    ['1,3', [1, 3], undefined],
    ['1，3', [1, 3], undefined],
    ['１３', [1, 3], undefined],
    ['13', [1, 3], undefined],
    ['1、3', [1, 3], undefined],
    ['3 1', [1, 3], undefined],
    ['3，1，3', [1, 3], undefined],
    ['6', [6], undefined],
    ['123456', [1, 2, 3, 4, 5, 6], undefined],
    ['1和3。', [1, 3], undefined],
    ['2，态度不好', [2], '态度不好'],
    ['1 5 师傅迟到，网还是不通！', [1, 5], '师傅迟到，网还是不通'],
    ['5问题没解决', [5], '问题没解决'],
    ['17', [1], undefined],
    ['0 2 9', [2], undefined],
  ] as const)('%j -> %j, comment %j', (text, reasons, comment) => {
    const expected = comment === undefined ? { reasons } : { reasons, comment };
    expect(parseReasons(text)).toEqual(expected);
  });

  it.each([[''], ['师傅迟到了'], ['迟到 1 3'], ['0'], ['789'], ['7 8 9 师傅很好']])(
    '%j -> null (no leading valid reason digit)',
    (text) => {
      expect(parseReasons(text)).toBeNull();
    },
  );

  const separator = fc.constantFrom('', ' ', ',', '，', '、', ' ， ', '；', '.', '/');

  it('is insensitive to order and separators, returns only sorted unique 1..6', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
        fc.array(separator, { minLength: 8, maxLength: 8 }),
        fc.array(separator, { minLength: 8, maxLength: 8 }),
        (digits, seps1, seps2) => {
          const join = (ds: number[], seps: string[]) => ds.map((d, i) => `${d}${seps[i] ?? ''}`).join('');
          const reversed = [...digits].reverse();
          const a = parseReasons(join(digits, seps1));
          const b = parseReasons(join(reversed, seps2));
          const expected = [...new Set(digits)].sort((x, y) => x - y);
          expect(a?.reasons).toEqual(expected);
          expect(b?.reasons).toEqual(expected);
        },
      ),
    );
  });

  it('full-width digits give the same reasons as ASCII ones', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-6]{1,6}$/), (digits) => {
        const wide = digits.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0x30 + 0xff10));
        expect(parseReasons(wide)).toEqual(parseReasons(digits));
        expect(parseReasons(digits)).not.toBeNull();
      }),
    );
  });

  it('never throws; any result holds only reasons 1..6, sorted and unique, and a non-empty comment', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[0-9 ,、]{0,10}.*$/)),
        (s) => {
          const r = parseReasons(s);
          if (r === null) return;
          expect(r.reasons.length).toBeGreaterThan(0);
          for (const x of r.reasons) expect(x >= 1 && x <= 6).toBe(true);
          expect(r.reasons).toEqual([...new Set(r.reasons)].sort((x, y) => x - y));
          if (r.comment !== undefined) expect(r.comment).not.toBe('');
        },
      ),
      { numRuns: 500 },
    );
  });
});
