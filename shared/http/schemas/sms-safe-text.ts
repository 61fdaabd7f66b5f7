import { smsUnsafeReason } from '#shared/domain/sms/safe-text';
import * as z from '#shared/runtime/zod';

/**
 * Text from a request that is rendered into an SMS: refused (400 naming the field) for what
 * domain/sms/safe-text.ts lists. The length is counted in UTF-16 code units, as SMS segments are
 * (70 per UCS-2 segment): a character outside the BMP (CJK Extension B, emoji) counts two. Zod's own
 * `z.maxLength` on strings counts code points, so the schema keeps it (documented as `maxLength`) and
 * adds the unit count.
 */

/**
 * A trimmed, non-empty text of at most `maxUnits` UTF-16 code units that is safe to render into
 * an SMS (see above). Use it for every request field a template shows.
 */
export function smsSafeText(maxUnits: number) {
  return z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(maxUnits),
    z.superRefine((value, ctx) => {
      // `z.maxLength` above has already reported a value longer than maxUnits code points.
      if (value.length > maxUnits && Array.from(value).length <= maxUnits) {
        ctx.addIssue({
          code: 'too_big',
          origin: 'string',
          maximum: maxUnits,
          inclusive: true,
          input: value,
          message: `Too big: expected string to have <=${maxUnits} UTF-16 code units (a character outside the BMP counts 2)`,
        });
      }
      const reason = smsUnsafeReason(value);
      if (reason) ctx.addIssue({ code: 'custom', input: value, message: reason });
    }),
  );
}
