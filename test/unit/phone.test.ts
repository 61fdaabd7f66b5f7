import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskName, maskPhone, normalizeCnMobile } from '#shared/domain/phone';

describe('normalizeCnMobile', () => {
  it.each([
    ['13800138000', '+8613800138000'],
    ['+8613800138000', '+8613800138000'],
    ['8613800138000', '+8613800138000'],
    ['008613800138000', '+8613800138000'],
    ['+86 138 0013 8000', '+8613800138000'],
    ['138-0013-8000', '+8613800138000'],
    ['  13800138000  ', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['＋８６ １３８－００１３－８０００', '+8613800138000'],
    ['19912345678', '+8619912345678'],
    ['16612345678', '+8616612345678'],
    ['14512345678', '+8614512345678'],
    ['17012345678', '+8617012345678'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeCnMobile(input)).toBe(expected);
  });

  it.each([
    ['landline with area code', '01062345678'],
    ['landline in E.164', '+861062345678'],
    ['landline without area code', '62345678'],
    ['service number', '4008108888'],
    ['short code', '10086'],
    ['unassigned 12x range', '12345678901'],
    ['10 digits', '1380013800'],
    ['12 digits', '138001380001'],
    ['Hong Kong mobile', '+85291234567'],
    ['US number', '+12025550123'],
    ['other country code before a CN-looking number', '+4413800138000'],
    ['letters inside', '1380013800a'],
    ['text around the number', 'tel:13800138000'],
    ['empty', ''],
  ])('rejects %s (%s)', (_label, input) => {
    expect(normalizeCnMobile(input)).toBeNull();
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.constantFrom('13', '15', '17', '18', '19'), fc.stringMatching(/^\d{9}$/), (p, rest) => {
        const once = normalizeCnMobile(p + rest);
        if (once !== null) expect(normalizeCnMobile(once)).toBe(once);
      }),
    );
  });
});

describe('maskPhone', () => {
  it.each([
    ['+8613800138000', '138****8000'],
    ['13800138000', '138****8000'],
    ['+86 138 0013 8000', '138****8000'],
    ['12345678901', '123******01'],
    ['+85291234567', '+85*******67'],
    ['abcdef', 'abc*ef'],
    ['12345', '****'],
    ['', '****'],
  ])('%s -> %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it('never returns an unmasked input in clear', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 0, maxLength: 30 }).filter((s) => !s.includes('*')),
        (s) => {
          const masked = maskPhone(s);
          expect(masked).not.toBe(s);
          expect(masked).toContain('*');
        },
      ),
    );
  });
});

describe('maskName', () => {
  it.each([
    ['张三', '张*'],
    ['欧阳娜娜', '欧***'],
    ['王', '*'],
    ['', '*'],
    [' 李四 ', '李*'],
    ['𠮷田', '𠮷*'],
  ])('%s -> %s', (input, expected) => {
    expect(maskName(input)).toBe(expected);
  });

  it('keeps the first character and stars every other one', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('张', '王', '欧', '阳', '娜'), minLength: 2, maxLength: 10 }),
        (n) => {
          const masked = maskName(n);
          expect(masked.length).toBe(n.length);
          expect(masked[0]).toBe(n[0]);
          expect(masked.slice(1)).toMatch(/^\*+$/);
        },
      ),
    );
  });
});
