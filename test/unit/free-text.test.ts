import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanFreeText, FREE_TEXT_MAX } from '#shared/domain/free-text';

/** The one cleaner of customers' and agents' free text before it is stored. */

const LONE_SURROGATE = /\p{Cs}/u;
const STRIPPED = /(?!\n)[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe('cleanFreeText', () => {
  it('cuts a 600-character comment to 500 code points without splitting the emoji at the boundary', () => {
    const text = `${'好'.repeat(499)}😀${'差'.repeat(100)}`;
    expect(text.slice(0, 500)).toMatch(LONE_SURROGATE); // what slice(0, 500) stored
    const out = cleanFreeText(text);
    expect(out).not.toMatch(LONE_SURROGATE);
    expect(out).toBe(`${'好'.repeat(499)}😀`);
    expect(Array.from(out)).toHaveLength(500);
  });

  it('never splits a grapheme: a family emoji that does not fit is left out whole', () => {
    const family = '👨‍👩‍👧'; // 5 code points joined by ZWJ
    const out = cleanFreeText(`${'好'.repeat(498)}${family}`);
    expect(out).toBe('好'.repeat(498));
  });

  it('keeps newlines (CRLF and CR become LF) and strips NUL, ESC, other C0/C1 controls and bidi controls', () => {
    expect(cleanFreeText('师傅\u0000迟到\u001b[31m了\r\n第二行\r第三行')).toBe(
      '师傅迟到[31m了\n第二行\n第三行',
    );
    expect(cleanFreeText('\u202e满意\u202c \u2066x\u2069\u200e\u200f\u061c')).toBe('满意 x');
    expect(cleanFreeText('a\u0085b\u2028c\u2029d')).toBe('a\nb\nc\nd');
    expect(cleanFreeText('a\tb\u007f\u009bc')).toBe('a bc');
  });

  it('drops lone surrogates, trims, and keeps ordinary text (punctuation, emoji, Chinese) as it is', () => {
    expect(cleanFreeText('  \ud83d师傅很专业！👍\udc00  ')).toBe('师傅很专业！👍');
    expect(cleanFreeText('太慢了,"差评"啊 =cmd|x')).toBe('太慢了,"差评"啊 =cmd|x');
    expect(cleanFreeText('\u0000\u202e \n')).toBe('');
  });

  it('takes its own limit', () => {
    expect(cleanFreeText('😀😀😀', 2)).toBe('😀😀');
    expect(FREE_TEXT_MAX).toBe(500);
  });

  it('for any input: well formed, within the limit, nothing stripped left, idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 700 }),
          fc.string({ unit: 'grapheme', maxLength: 700 }),
        ),
        (s) => {
          const out = cleanFreeText(s);
          expect(out).not.toMatch(LONE_SURROGATE);
          expect(out).not.toMatch(STRIPPED);
          expect(out).not.toMatch(/\r/);
          expect(Array.from(out).length).toBeLessThanOrEqual(FREE_TEXT_MAX);
          expect(cleanFreeText(out)).toBe(out);
        },
      ),
    );
  });
});
