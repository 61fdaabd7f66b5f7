import { BlockList, isIP } from 'node:net';
import { ConfigError, issueLines } from '#shared/config/check';
import { normalizeCnMobile } from '#shared/domain/phone';
import { lazy } from '#shared/runtime/lazy';
import * as z from '#shared/runtime/zod';

/**
 * Every rule of docs/domain.md in one object, validated once at start-up.
 * Defaults are docs/domain.md's values (or the defaults it names where the sources are silent).
 * Override any part with the RULES environment variable (JSON, deep-merged over the defaults:
 * every object, nested ones included, may be given in part). Strict: an unknown key anywhere is an
 * error naming its path (`RULES.survey.expiryHour: unknown key`), never silently dropped.
 */

export const ticketKinds = [
  'repair',
  'install',
  'move',
  'removal',
  'activation',
  'inspection',
  'store_sale',
  'new_business',
  'store_service',
] as const;
export type TicketKind = (typeof ticketKinds)[number];

/** China Mobile's group-wide satisfaction standard (004 5.2), below which no province may go (004 1.4). */
export const GROUP_SATISFACTION_FLOOR = 0.95;
/** A hotline as the SMS shows it: 3-13 characters, digits in groups joined by single hyphens. */
export const HOTLINE = /^(?=.{3,13}$)\d+(?:-\d+)*$/;
export const HOTLINE_MAX = 13;

/** An upstream system's id (`source` of the webhooks, keys of `sources` and of REPLY_SECRETS). */
export const SOURCE_ID = /^[A-Za-z0-9._-]{1,32}$/;
export const SOURCE_ID_MESSAGE = '1-32 characters of A-Z a-z 0-9 . _ -';

/** An IANA time zone the runtime knows (Intl), e.g. `Asia/Shanghai` or `UTC`. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Never a reply target, whatever the scheme: link-local (cloud metadata), "this host", multicast. */
const forbiddenHosts = new BlockList();
forbiddenHosts.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, 169.254.169.254 = metadata
forbiddenHosts.addSubnet('0.0.0.0', 8, 'ipv4');
forbiddenHosts.addSubnet('224.0.0.0', 4, 'ipv4');
forbiddenHosts.addAddress('255.255.255.255', 'ipv4');
forbiddenHosts.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
forbiddenHosts.addSubnet('fe80::', 10, 'ipv6'); // link-local
forbiddenHosts.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
forbiddenHosts.addAddress('::', 'ipv6');
forbiddenHosts.addSubnet('ff00::', 8, 'ipv6');
const loopbackHosts = new BlockList();
loopbackHosts.addSubnet('127.0.0.0', 8, 'ipv4');
loopbackHosts.addAddress('::1', 'ipv6');

/**
 * Why this reply URL is refused, or undefined: `https://` only, or `http://` to loopback
 * (127.0.0.0/8, localhost, [::1]) for local use; never link-local or metadata addresses (also
 * written as IPv4-mapped IPv6 or in hex, which URL parsing normalises), nor credentials in the URL.
 * Private addresses over https are the operator's choice (the work-order system may be internal).
 * Host names are taken as written: a name is not resolved at start.
 */
export function replyUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'expected an https:// URL (http:// only to loopback)';
  }
  if (url.username || url.password) return 'credentials in the URL are not allowed (replies are signed)';
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const family = isIP(host) === 4 ? 'ipv4' : isIP(host) === 6 ? 'ipv6' : undefined;
  if (family && forbiddenHosts.check(host, family)) {
    return 'link-local, metadata, unspecified and multicast addresses are not allowed';
  }
  const loopback = host === 'localhost' || (family !== undefined && loopbackHosts.check(host, family));
  if (url.protocol === 'http:' && !loopback) {
    return 'http:// only to loopback (127.0.0.1, localhost, [::1]); use https://';
  }
  return undefined;
}

/** The RULES schema, built on its first use (the start-up check), not when the module is imported. */
export const rulesSchema = lazy(buildRulesSchema);

function buildRulesSchema() {
  const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM'));
  /** Every duration has a ceiling of 30 days: a value typed in the wrong unit (ms) stops start-up. */
  const minutes = z.number().check(z.int(), z.gte(0), z.lte(43_200, 'at most 43200 minutes (30 days)'));
  const hours = z.number().check(z.positive(), z.lte(720, 'at most 720 hours (30 days)'));
  /** A number from `min` to `max`; `wholeBetween`: a whole one. */
  const between = (min: number, max: number) => z.number().check(z.gte(min), z.lte(max));
  const wholeBetween = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));

  const replyUrl = z.string().check(
    z.superRefine((value, ctx) => {
      const problem = replyUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );

  return z.strictObject({
    /** Time zone of calendar periods and quiet hours (docs/domain.md section 5). */
    timeZone: z._default(
      z.string().check(z.refine(isTimeZone, 'unknown time zone (expected an IANA name like Asia/Shanghai)')),
      'Asia/Shanghai',
    ),
    sms: z.prefault(
      z.strictObject({
        /** Company signature shown in 【】; carriers allow 2-8 Chinese characters. */
        signature: z._default(
          z.string().check(z.regex(/^[\u4e00-\u9fff]{2,8}$/, 'signature must be 2-8 Chinese characters')),
          '客户服务',
        ),
        /**
         * No survey SMS is sent inside this window (local time); sends are moved to its end, spread
         * over the `spreadMinutes` after it by the message's id (domain/quiet-spread.ts; 0 = all at the end).
         */
        quietHours: z.prefault(
          z
            .strictObject({
              start: z._default(hhmm, '21:00'),
              end: z._default(hhmm, '08:00'),
              spreadMinutes: z._default(minutes, 60),
            })
            .check(
              z.superRefine((q, ctx) => {
                // The allowed hours, end to start (a whole day when start = end: no quiet hours).
                const at = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
                const allowed = ((at(q.start) - at(q.end) + 1439) % 1440) + 1;
                if (q.spreadMinutes > allowed) {
                  const message = `at most ${allowed}: the spread must end before the quiet hours start again (${q.end} to ${q.start})`;
                  ctx.addIssue({ code: 'custom', path: ['spreadMinutes'], message });
                }
              }),
            ),
          {},
        ),
        /** A customer who texts while no survey is open gets at most one notice in this many hours. */
        noticeIntervalHours: z._default(hours, 24),
        /**
         * The opt-out hint that ends the survey texts (回T退订; Aliyun's operators use 拒收请回复R).
         * It is part of the registered template text. At most 6 characters (one segment); it must
         * name T, TD, R or N, which the reply parser reads as an opt-out.
         */
        optOutHint: z._default(
          z.string().check(
            z.regex(
              /^[\u4e00-\u9fffA-Za-z]{2,6}$/,
              'expected 2-6 Chinese characters or letters, e.g. 回T退订',
            ),
            z.refine(
              (h) => /T|R|N/.test(h),
              'must name the opt-out word (T, R or N) the reply parser accepts',
            ),
          ),
          '回T退订',
        ),
        /**
         * Provider template codes by our template id (`{ "survey": "SMS_123456789" }` for Aliyun,
         * `{ "survey": "1234567" }` for Tencent): the registered template each message is sent by.
         * Required for every template the system can send when SMS_GATEWAY is aliyun or tencent.
         */
        templateCodes: z._default(
          z.record(
            z.string(),
            z.string().check(z.regex(/^[A-Za-z0-9_]{1,64}$/, 'expected a template code like SMS_123456789')),
          ),
          {},
        ),
        /**
         * The customer-service hotline named in the no-open-survey notice and the callback thanks
         * (e.g. `10086`, `400-123-4567`, `0791-88888888`); unset = those texts name none.
         */
        hotline: z.optional(
          z
            .string()
            .check(
              z.regex(
                HOTLINE,
                'expected a phone number: 3-13 digits, groups joined by single hyphens (e.g. 400-123-4567)',
              ),
            ),
        ),
      }),
      {},
    ),
    survey: z.prefault(
      z.strictObject({
        /** Delay after completedAt before the survey goes out, per ticket kind (minutes). */
        delayMinutes: z.prefault(
          z.strictObject({
            repair: z._default(minutes, 30),
            install: z._default(minutes, 30),
            move: z._default(minutes, 30),
            removal: z._default(minutes, 30),
            activation: z._default(minutes, 30),
            inspection: z._default(minutes, 30),
            store_sale: z._default(minutes, 3 * 24 * 60),
            new_business: z._default(minutes, 3 * 24 * 60),
            store_service: z._default(minutes, 30),
          } satisfies Record<TicketKind, unknown>),
          {},
        ),
        /** An unanswered survey expires (counts as not answered) after this many hours. */
        expiryHours: z._default(hours, 72),
        /** One reminder this many hours after an unanswered survey was sent (only in allowed hours). */
        reminderHours: z._default(hours, 24),
        /** After a rating of 2 or 3 the customer has this long to give reasons before the survey closes. */
        reasonsTimeoutHours: z._default(hours, 24),
        /** A phone sent a survey within this many hours is not surveyed again (carriers: once a day). */
        fatigueHours: z._default(z.number().check(z.gte(0), z.lte(720, 'at most 720 hours (30 days)')), 24),
        /** Kinds that are surveyed at all; a ticket of another kind is suppressed (kind_not_surveyed). */
        kinds: z._default(z.array(z.enum(ticketKinds)), [...ticketKinds]),
        /** Staff phones (any format): an engineer cannot rate themself (staff_phone). */
        staffPhones: z._default(
          z.array(
            z
              .string()
              .check(z.refine((p) => normalizeCnMobile(p) !== null, 'not a mainland China mobile number')),
          ),
          [],
        ),
        /** How many unreadable replies get a polite re-prompt before the text is kept as a comment. */
        maxReprompts: z._default(wholeBetween(0, 3), 1),
      }),
      {},
    ),
    satisfaction: z.prefault(
      z.strictObject({
        /** Ratings counted as "satisfied" in satisfactionRate (1 = 满意). */
        satisfiedRatings: z._default(z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])), [1]),
        /**
         * The satisfaction target. Never below the group's 95 % (004 1.4 标准说明 2: a province's
         * standard may not be lower than the group's): a lower value stops start-up.
         */
        target: z._default(
          z
            .number()
            .check(
              z.gte(
                GROUP_SATISFACTION_FLOOR,
                "may not be below 0.95: the group's standard (004 1.4) is the floor",
              ),
              z.lte(1),
            ),
          GROUP_SATISFACTION_FLOOR,
        ),
        /** Points per rating for averagePoints (满意 100, 基本满意 60, 不满意 0). */
        points: z.prefault(
          z.strictObject({
            1: z._default(between(0, 100), 100),
            2: z._default(between(0, 100), 60),
            3: z._default(between(0, 100), 0),
          }),
          {},
        ),
      }),
      {},
    ),
    /** Time limits of docs/domain.md section 2 (000 第二章 and lines 383-395). */
    timeLimits: z.prefault(
      z.strictObject({
        /** First contact after the report, by segment (minutes): 集客 5, 家客 15. */
        firstContactMinutes: z.prefault(
          z.strictObject({ enterprise: z._default(minutes, 5), home: z._default(minutes, 15) }),
          {},
        ),
        /** Home fault repair (hours) by fault type and area. Suburban line faults: not in the source, default 6. */
        homeRepairHours: z.prefault(
          z.strictObject({
            equipment: z.prefault(
              z.strictObject({
                urban: z._default(hours, 3),
                suburban: z._default(hours, 4),
                rural: z._default(hours, 12),
              }),
              {},
            ),
            line: z.prefault(
              z.strictObject({
                urban: z._default(hours, 6),
                suburban: z._default(hours, 6),
                rural: z._default(hours, 12),
              }),
              {},
            ),
          }),
          {},
        ),
        /** Enterprise circuit repair (hours) by service level, in-province and cross-province. */
        enterpriseRepairHours: z.prefault(
          z.strictObject({
            inProvince: z.prefault(
              z.strictObject({
                AAA: z._default(hours, 2),
                AA: z._default(hours, 4),
                A: z._default(hours, 6),
                standard: z._default(hours, 8),
              }),
              {},
            ),
            crossProvince: z.prefault(
              z.strictObject({
                AAA: z._default(hours, 4),
                AA: z._default(hours, 5),
                A: z._default(hours, 6),
                standard: z._default(hours, 8),
              }),
              {},
            ),
          }),
          {},
        ),
        /**
         * Limits (hours from reportedAt) for the other kinds. The source's tables for install, move,
         * removal and activation are missing: none by default, so timeliness is "not applicable".
         */
        otherKindHours: z._default(z.partialRecord(z.enum(ticketKinds), hours), {}),
      }),
      {},
    ),
    /** Appointments (docs/domain.md section 3). */
    punctuality: z.prefault(
      z.strictObject({
        /** Punctual when arrivedAt <= appointmentAt + this. */
        toleranceMinutes: z._default(minutes, 10),
        /**
         * A change of appointment notified less than this before the ORIGINAL appointment counts as
         * not punctual (000 第三十条); a change the customer asked for never does.
         */
        rescheduleNoticeHours: z._default(hours, 2),
        /**
         * Unset (default): arriving early is punctual. Set: arriving more than this before the
         * appointment is not (001's 10-minute rule read two-sided).
         */
        earlyToleranceMinutes: z.optional(minutes),
      }),
      {},
    ),
    /**
     * Repeat repairs (返修, docs/domain.md section 5): a repair completed for a phone whose previous
     * repair was completed at most this many days (x 24 h, by instant) before counts against that
     * earlier repair. The seeds give no number: 30 is ours.
     */
    repeatRepairDays: z._default(wholeBetween(1, 365), 30),
    /** Completions: one older than this many days is rejected (400), never surveyed or counted. */
    tickets: z.prefault(
      z.strictObject({
        maxCompletionAgeDays: z._default(z.number().check(z.positive(), z.lte(366)), 7),
      }),
      {},
    ),
    /** Personal data (docs/domain.md section 7): kept only as long as needed. */
    retention: z.prefault(
      z.strictObject({
        /**
         * Raw records holding personal data (tickets, surveys, SMS, kept texts) expire by TTL this
         * many days after they are written; the aggregates (figures) stay. Callback and complaint
         * cases are kept `complaints.retentionDays` instead.
         */
        days: z._default(wholeBetween(1, 3650), 180),
      }),
      {},
    ),
    /** Callbacks (回访, docs/domain.md section 6). */
    callbacks: z.prefault(
      z.strictObject({
        /** 不满意 always opens a case; 基本满意 too when this is true. */
        openOnBasicallySatisfied: z._default(z.boolean(), false),
        /** The customer must be contacted within this many hours of the case opening. */
        contactWithinHours: z._default(hours, 24),
        /**
         * Handling rounds of a case: closing with `resolved_unsatisfied` returns it to handling
         * until this many rounds were worked; the last one escalates it to the region (our default).
         */
        maxRounds: z._default(wholeBetween(1, 10), 3),
      }),
      {},
    ),
    /** Complaints (投诉, docs/domain.md section 6): the loop of seed 003 and the archive. */
    complaints: z.prefault(
      z.strictObject({
        /**
         * A customer text containing any of these words opens a complaint case (domain/complaints.ts);
         * matched NFKC-normalised and case-insensitively; never a text of digits alone.
         */
        keywords: z._default(
          z
            .array(z.string().check(z.trim(), z.minLength(1), z.maxLength(20)))
            .check(z.minLength(1), z.maxLength(200)),
          ['投诉', '举报', '工信部', '12300', '没修好', '还是不通', '还是不能用', '没解决', '态度差'],
        ),
        /** A complaint not closed within this many hours gets one progress SMS (003: 24 小时). */
        progressNoticeHours: z._default(hours, 24),
        /** Callback and complaint cases (the archive) are kept this many days (TTL; our default). */
        retentionDays: z._default(wholeBetween(1, 3650), 1095),
      }),
      {},
    ),
    /** Per upstream source: where to post the survey result back (回复工单) and whether to send a web link. */
    sources: z._default(
      z
        .record(
          z.string(),
          z.strictObject({
            /** HTTPS URL that receives the signed result when a survey closes (see replyUrlProblem). */
            replyUrl: z.optional(replyUrl),
            /** Send a short signed link to the web survey instead of the digit prompt. */
            webSurvey: z._default(z.boolean(), false),
          }),
        )
        .check(
          z.superRefine((rec, ctx) => {
            for (const id of Object.keys(rec)) {
              if (!SOURCE_ID.test(id)) {
                ctx.addIssue({
                  code: 'custom',
                  path: [id],
                  message: `not a source id (${SOURCE_ID_MESSAGE})`,
                });
              }
            }
          }),
        ),
      {},
    ),
    /** The supervision score (docs/domain.md section 5). */
    score: z.prefault(
      z.strictObject({
        /** Weights of the blend; a figure with no data is left out and the rest renormalised. */
        weights: z.prefault(
          z.strictObject({
            averagePoints: z._default(z.number().check(z.gte(0)), 50),
            repairTimeliness: z._default(z.number().check(z.gte(0)), 20),
            contactTimeliness: z._default(z.number().check(z.gte(0)), 15),
            punctuality: z._default(z.number().check(z.gte(0)), 15),
            /** 100 x (1 - repeatRepairRate); 0 (ours) keeps repeat repairs out of the score. */
            repeatRepair: z._default(z.number().check(z.gte(0)), 0),
          }),
          {},
        ),
        /** Responses needed before an engineer is ranked on score. */
        minSample: z._default(z.number().check(z.int(), z.gte(1)), 10),
        /** Flag `low_response_rate` under this responses/surveys-sent ratio. */
        lowResponseRate: z._default(between(0, 1), 0.3),
        /** z of the Wilson lower bound (1.96 = 95% confidence). */
        wilsonZ: z._default(z.number().check(z.positive()), 1.96),
      }),
      {},
    ),
  });
}

export type Rules = z.infer<ReturnType<typeof buildRulesSchema>>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The rules, or every problem of RULES as a `RULES.<path>: <message>` line. */
export function checkRules(json: string | undefined): { rules: Rules } | { problems: string[] } {
  let raw: unknown = {};
  if (json && json.trim() !== '') {
    try {
      raw = JSON.parse(json);
    } catch {
      return { problems: ['RULES: not valid JSON'] };
    }
  }
  if (!isPlainObject(raw)) return { problems: ['RULES: must be a JSON object'] };
  const parsed = rulesSchema().safeParse(raw);
  return parsed.success ? { rules: parsed.data } : { problems: issueLines(parsed.error.issues, 'RULES') };
}

/** The rules from RULES over the defaults; throws a ConfigError naming each bad path. */
export function parseRules(json: string | undefined): Rules {
  const checked = checkRules(json);
  if ('problems' in checked) throw new ConfigError(checked.problems);
  return checked.rules;
}
