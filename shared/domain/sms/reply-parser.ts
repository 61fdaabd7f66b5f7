/**
 * Reading customers' SMS replies to the survey (docs/domain.md section 4): a rating 1/2/3 (digit or
 * words), an opt-out, or the reasons 1-6 after a 不满意. Pure functions; they never throw.
 *
 * Matching runs on an NFKC-normalised copy (full-width digits and letters become ASCII), but
 * comments and unreadable texts are cut from the ORIGINAL text, so the customer's own
 * punctuation (，。！) is kept.
 */

export type ParsedSmsReply =
  | { type: 'opt_out' }
  | { type: 'rating'; rating: 1 | 2 | 3; comment?: string }
  | { type: 'unreadable'; text: string };

type Rating = 1 | 2 | 3;

/** The text NFKC-normalised code point by code point, with the original index of every unit. */
interface Normalized {
  text: string;
  /** origin[i] = index in the original of normalised unit i; origin[text.length] = original length. */
  origin: number[];
}

function normalize(input: string): Normalized {
  let text = '';
  const origin: number[] = [];
  let index = 0;
  for (const cp of input) {
    const n = cp.normalize('NFKC');
    for (let k = 0; k < n.length; k++) origin.push(index);
    text += n;
    index += cp.length;
  }
  origin.push(input.length);
  return { text, origin };
}

function originAt(n: Normalized, i: number): number {
  return n.origin[i] ?? n.origin[n.origin.length - 1] ?? 0;
}

const EDGE = /^[\s\p{P}\p{Z}~]+|[\s\p{P}\p{Z}~]+$/gu;
/** Trims whitespace and punctuation (ASCII and Chinese) from both ends. */
function trimEdges(s: string): string {
  return s.replace(EDGE, '');
}

/** Opt-out words; R and N as Aliyun's standard hint 拒收请回复R and the carriers' N (NFKC, any case). */
const OPT_OUT = new Set(['t', 'td', 'r', 'n', '退订', 'stop', 'unsubscribe', '取消订阅']);

/**
 * Rating words. At any position the longest word wins, so 不满意 is never read as 满意 and
 * 基本满意 never as 满意. `null` marks phrases that look like a rating word but are not one
 * (不好意思 "sorry", 满意度 "satisfaction level").
 */
const WORDS: ReadonlyArray<readonly [string, Rating | null]> = [
  ['非常满意', 1],
  ['很满意', 1],
  ['满意', 1],
  ['没有不满意', 1],
  ['没什么不满意', 1],
  ['基本满意', 2],
  ['基本上满意', 2],
  ['比较满意', 2],
  ['还算满意', 2],
  ['一般', 2],
  ['还行', 2],
  ['还可以', 2],
  ['不满意', 3],
  ['非常不满意', 3],
  ['很不满意', 3],
  ['不太满意', 3],
  ['不是很满意', 3],
  ['不是太满意', 3],
  ['不怎么满意', 3],
  ['不大满意', 3],
  ['不够满意', 3],
  ['不算满意', 3],
  ['没有很满意', 3],
  ['没那么满意', 3],
  ['谈不上满意', 3],
  ['说不上满意', 3],
  ['很差', 3],
  ['太差', 3],
  ['差评', 3],
  ['不好', 3],
  ['不太好', 3],
  ['不好意思', null],
  ['满意度', null],
];
const WORD_RATING = new Map<string, Rating | null>(WORDS);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Literal words longest first (so the longest wins at a position), then any other negation
 * shortly before 满意 within the same clause (不是特别满意, 没觉得满意...) which reads as 不满意.
 */
const NEGATED_SATISFIED = '(?:不|没|未)[^\\s\\p{P}\\p{Z}\\d]{0,3}?满意';
const WORD_PATTERN = new RegExp(
  `${[...WORD_RATING.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')}|${NEGATED_SATISFIED}`,
  'gu',
);

const LEADING_NUMBER = /^[\s\p{P}\p{Z}~]*([0-9]+)/u;

function withComment(rating: Rating, comment: string): ParsedSmsReply {
  const c = trimEdges(comment);
  return c === '' ? { type: 'rating', rating } : { type: 'rating', rating, comment: c };
}

/** One SMS reply to the survey -> opt-out, rating (with an optional comment) or unreadable. */
export function parseSmsReply(text: string): ParsedSmsReply {
  const n = normalize(text);
  const core = trimEdges(n.text).toLowerCase();
  if (OPT_OUT.has(core)) return { type: 'opt_out' };

  const leading = LEADING_NUMBER.exec(n.text);
  const digits = leading?.[1];
  if (leading && (digits === '1' || digits === '2' || digits === '3')) {
    return withComment(Number(digits) as Rating, text.slice(originAt(n, leading[0].length)));
  }

  for (const match of n.text.matchAll(WORD_PATTERN)) {
    const word = match[0];
    const rating = WORD_RATING.has(word) ? WORD_RATING.get(word) : 3;
    if (rating === null || rating === undefined) continue;
    const start = originAt(n, match.index);
    const end = originAt(n, match.index + word.length);
    // Rating first ("不满意，师傅迟到了"): the rest is the comment. Rating inside a sentence
    // ("师傅迟到了，不满意"): the whole message is kept, so no word the customer wrote is lost.
    const before = trimEdges(text.slice(0, start));
    return withComment(rating, before === '' ? text.slice(end) : text);
  }

  return { type: 'unreadable', text: text.trim() };
}

/** Digits of the reasons question (1-6) and what may separate them: 1 3, 1,3, 1，3, 1、3, 1和3. */
const LEADING_REASONS = /^[\s\p{P}\p{Z}~]*([0-9](?:[0-9\s\p{Z},、;.。/+&|\-和]*[0-9])?)/u;

/**
 * Reply to the reasons question: `1 3`, `1，3`, `13`, `１３`, `1、3 师傅迟到` -> reasons [1, 3]
 * (sorted, without duplicates; 0, 7, 8 and 9 ignored) and the rest as comment.
 * null when the message does not start with a reason digit (the caller keeps it as a comment).
 */
export function parseReasons(text: string): { reasons: number[]; comment?: string } | null {
  const n = normalize(text);
  const leading = LEADING_REASONS.exec(n.text);
  if (!leading?.[1]) return null;
  const reasons = [...new Set([...leading[1]].filter((c) => c >= '1' && c <= '6').map(Number))].sort(
    (a, b) => a - b,
  );
  if (reasons.length === 0) return null;
  const comment = trimEdges(text.slice(originAt(n, leading[0].length)));
  return comment === '' ? { reasons } : { reasons, comment };
}
