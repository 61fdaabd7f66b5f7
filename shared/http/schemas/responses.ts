import { callbackOutcomes, callbackStatuses } from '#shared/http/schemas/callbacks';
import * as z from '#shared/runtime/zod';

/**
 * What the API answers, as zod schemas: the OpenAPI document is generated from them and the
 * OpenAPI test checks real answers of the handlers against them, so they cannot drift apart.
 */
const rate = z.nullable(z.number().check(z.gte(0), z.lte(1)));
const count = z.int();
const period = z.object({ id: z.string(), from: z.string(), to: z.string() });
/** One kind group's satisfaction (004 5.2), held to `satisfaction.target`. */
const kindGroup = z.object({
  responses: count,
  satisfied: count,
  satisfactionRate: rate,
  target: z.number().check(z.gte(0), z.lte(1)),
  belowTarget: z.boolean(),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.optional(z.string()),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

export const ticketAcceptedSchema = z.object({
  surveyId: z.uuid(),
  status: z.enum(['scheduled', 'suppressed']),
  reason: z.optional(z.enum(['opted_out', 'recently_surveyed', 'staff_phone', 'kind_not_surveyed'])),
});

export const ticketReopenedResultSchema = z.object({
  ticketId: z.string(),
  source: z.string(),
  status: z.literal('reopened'),
  survey: z.enum(['cancelled', 'closed_uncounted', 'kept']),
  surveyId: z.uuid(),
});

export const ticketDispatchedResultSchema = z.object({
  ticketId: z.string(),
  source: z.string(),
  /** `scheduled`: half-time and limit alerts, each sent only if no completion has arrived by then. */
  alerts: z.enum(['scheduled', 'none']),
  /** The repair limit (hours from reportedAt), null when none applies (then no alerts). */
  repairLimitHours: z.nullable(z.number()),
  halfTimeAt: z.optional(z.string()),
  limitAt: z.optional(z.string()),
});

const figures = z.object({
  completed: count,
  surveyed: count,
  responses: count,
  satisfied: count,
  basicallySatisfied: count,
  dissatisfied: count,
  satisfactionRate: rate,
  basicallySatisfiedRate: rate,
  dissatisfactionRate: rate,
  averagePoints: z.nullable(z.number().check(z.gte(0), z.lte(100))),
  responseRate: rate,
  contactOnTimeRate: rate,
  repairOnTimeRate: rate,
  punctualityRate: rate,
  repeatRepairRate: rate.check(z.describe('repeatRepairs / repairsCompleted (返修率)')),
  score: z.nullable(z.number().check(z.gte(0), z.lte(100))),
  satisfactionRateLowerBound: rate,
  sampleSufficient: z.boolean(),
  flags: z.array(z.enum(['below_target', 'insufficient_sample', 'low_response_rate'])),
  funnel: z.object({
    completed: count,
    surveyed: count,
    suppressed: z.object({
      total: count,
      opted_out: count,
      recently_surveyed: count,
      staff_phone: count,
      kind_not_surveyed: count,
    }),
    cancelled: count,
    reminded: count,
    responses: count,
    unrated: count,
    expired: count,
    optedOut: count,
    undelivered: count,
    reopened: count,
  }),
  reasons: z.object({
    late: count,
    attitude: count,
    uniform: count,
    mess: count,
    unsolved: count,
    other: count,
  }),
  callbacks: z.object({
    opened: count,
    overdue: count,
    closed: count,
    outcomes: z.object({ resolved_satisfied: count, resolved_unsatisfied: count, unreachable: count }),
  }),
  repairsCompleted: count,
  repeatRepairs: count.check(
    z.describe(
      'repairs of the period repeated (another repair of the phone within repeatRepairDays, or a reopen)',
    ),
  ),
  kindGroups: z
    .object({
      store_service: kindGroup,
      handset_sale: kindGroup,
      new_business: kindGroup,
      field: kindGroup,
    })
    .check(
      z.describe(
        'satisfaction by kind group: store visits, handset sales (store_sale), new business, field service',
      ),
    ),
  complaints: count.check(z.describe('complaint cases (投诉) opened')),
  complaintsClosed: count.check(z.describe('complaint cases closed after review')),
  complaintsOverdue: count.check(z.describe('complaint cases not contacted by a deadline (once per case)')),
  complaintRate: z
    .nullable(z.number().check(z.gte(0)))
    .check(z.describe('complaints per 100 completions; null without completions')),
});

export const engineerRowSchema = z.extend(figures, {
  engineerId: z.string(),
  name: z.string(),
  team: z.string(),
  region: z.string(),
  rank: count,
});

export const engineerReportSchema = z.object({
  period,
  engineers: z.array(engineerRowSchema),
  viewer: z
    .object({ role: z.enum(['admin', 'manager', 'agent', 'engineer']), engineerId: z.nullable(z.string()) })
    .check(
      z.describe(
        "whom the report was cut for: the token's role and, for an engineer, their id (the pages choose their view by it)",
      ),
    ),
});

const rollup = z.extend(figures, {
  rank: count,
  engineerCount: count,
  engineers: z.array(engineerRowSchema),
});
export const teamReportSchema = z.object({
  period,
  teams: z.array(z.extend(rollup, { team: z.string(), regions: z.array(z.string()) })),
});
export const regionReportSchema = z.object({
  period,
  regions: z.array(z.extend(rollup, { region: z.string(), teams: z.array(z.string()) })),
});

export const engineerDetailSchema = z.extend(figures, {
  period,
  engineerId: z.string(),
  name: z.string(),
  team: z.string(),
  region: z.string(),
  granularity: z.enum(['week', 'month']),
  trend: z.array(z.extend(figures, { id: z.string(), from: z.string(), to: z.string() })),
  comments: z.object({
    items: z.array(
      z.object({
        surveyId: z.string(),
        source: z.string(),
        ticketId: z.string(),
        kind: z.string(),
        answeredAt: z.string(),
        rating: count,
        reasons: z.array(z.string()),
        comment: z.nullable(z.string()),
        phone: z.string().check(z.regex(/\*{4}/, 'masked')),
      }),
    ),
    nextCursor: z.nullable(z.string()),
  }),
  rankInTeam: z
    .nullable(
      z.object({
        rank: count.check(
          z.describe(
            '1-based, ordered as the team report orders the team: sufficient samples first, then score',
          ),
        ),
        of: count.check(z.describe('engineers with figures under the team in the period')),
        sampleSufficient: z
          .boolean()
          .check(z.describe('false: fewer responses than score.minSample, the rank is indicative')),
      }),
    )
    .check(
      z.describe(
        "the engineer's place within their team (`team`) over the period, colleagues not named; null when nothing of theirs is counted under the team",
      ),
    ),
});

export const callbackCaseSchema = z.object({
  caseId: z.string().check(z.describe('the survey id, or `CMP-...` for a complaint no open survey owned')),
  surveyId: z.string().check(z.describe("'' for a complaint no open survey owned")),
  source: z.string(),
  ticketId: z.string(),
  kind: z
    .enum(['dissatisfied', 'complaint'])
    .check(z.describe('what opened the case: a 不满意 rating, or a complaint')),
  ticketKind: z
    .string()
    .check(z.describe("the ticket's kind (repair, install, ...); '' when attributed to no ticket")),
  engineerId: z
    .string()
    .check(z.describe("'' when attributed to no engineer (team and region `_unattributed`)")),
  engineerName: z.string(),
  team: z.string(),
  region: z.string(),
  day: z.string(),
  rating: z.optional(z.union([z.literal(1), z.literal(2), z.literal(3)])),
  reasons: z.optional(z.array(z.int())),
  comment: z.optional(z.string()),
  phone: z.string().check(z.describe('masked (138****8000) except for agents and admins reading one case')),
  status: z.enum(callbackStatuses),
  openedAt: z.string(),
  deadline: z.string(),
  contactedAt: z.optional(z.string()),
  overdueAt: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  closedBy: z.optional(z.string()),
  outcome: z.optional(z.enum(callbackOutcomes)).check(z.describe('the final outcome of a closed case')),
  round: z.optional(z.int().check(z.gte(1))).check(z.describe('the handling round (absent = 1)')),
  roundContactedAt: z.optional(z.string()),
  proposedOutcome: z
    .optional(z.enum(callbackOutcomes))
    .check(z.describe("a complaint waiting for review: its agent's outcome")),
  escalatedAt: z.optional(z.string()),
  reviewedAt: z.optional(z.string()),
  reviewedBy: z.optional(z.string()),
  erasedAt: z.optional(z.string()),
  history: z.optional(
    z.array(
      z.object({
        at: z.string(),
        by: z.string(),
        action: z
          .string()
          .check(
            z.describe(
              'opened, reasons, note, overdue, closed, returned, escalated, submitted, approved, rejected, progress_notice',
            ),
          ),
        note: z.optional(z.string()),
        outcome: z.optional(z.enum(callbackOutcomes)),
        round: z.optional(z.int()),
      }),
    ),
  ),
});

/** GET /v1/callbacks/{id}: the case, and the customer's previous surveys and cases (app/callbacks/customer-history.ts). */
export const callbackCaseDetailSchema = z.extend(callbackCaseSchema, {
  customerHistory: z
    .array(
      z.object({
        kind: z.enum(['survey', 'case']),
        id: z.string().check(z.describe('the survey id, or the case id')),
        at: z.string().check(z.describe("a survey: the ticket's completion; a case: its opening")),
        rating: z.optional(z.union([z.literal(1), z.literal(2), z.literal(3)])),
        status: z.string().check(z.describe("the survey's status, or the case's")),
        caseKind: z.optional(z.enum(['dissatisfied', 'complaint'])),
        engineerName: z.string(),
        ticketId: z.string(),
      }),
    )
    .check(
      z.maxLength(20),
      z.describe(
        "the same phone's other surveys and cases the caller may see, newest first, at most 20 (read through the customer index)",
      ),
    ),
});

export const erasureResultSchema = z.object({
  phone: z.string().check(z.regex(/\*{4}/, 'masked')),
  surveys: count,
  messages: count,
  optOutKept: z.boolean(),
});

export const callbackPageSchema = z.object({
  items: z.array(callbackCaseSchema),
  cursor: z.optional(z.string()),
});

export const customerTextSchema = z.object({
  textId: z.string(),
  receivedAt: z.string(),
  phone: z.string().check(z.regex(/\*{4}/, 'masked')),
  text: z.string().check(z.describe('cleaned of control and bidi characters')),
  kind: z.enum(['complaint', 'text']),
  outcome: z
    .string()
    .check(
      z.describe(
        'what the message came to: complaint, commented, reprompted, no_open_survey, rated, reasons',
      ),
    ),
  surveyId: z.optional(z.string()),
  caseId: z.optional(z.string()),
  source: z.string(),
  ticketId: z.string(),
  engineerId: z.string(),
  engineerName: z.string(),
  team: z.string(),
  region: z.string(),
  unattributed: z
    .boolean()
    .check(z.describe('owned by no survey of the last 30 days (team and region `_unattributed`)')),
});

export const customerTextPageSchema = z.object({
  items: z.array(customerTextSchema),
  cursor: z.optional(z.string()),
});
