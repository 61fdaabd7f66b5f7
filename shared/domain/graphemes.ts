import { lazy } from '#shared/runtime/lazy';

/**
 * The user-perceived characters of a text (grapheme clusters: `👍🏽` or `é` as one), for masking
 * names and cutting free text without splitting a character. One segmenter, made on first use:
 * making it loads ICU's segmentation data, some milliseconds that a cold start need not pay.
 */
const segmenter = lazy(() => new Intl.Segmenter('zh', { granularity: 'grapheme' }));

export function graphemes(text: string): Iterable<string> {
  const segments = segmenter().segment(text);
  return {
    *[Symbol.iterator]() {
      for (const { segment } of segments) yield segment;
    },
  };
}
