import type { FunctionName } from '#shared/http/routes';
import { INBOX_PK_PREFIX } from '#shared/store/sms-inbox';

/**
 * Every Lambda function, one small entry each; the FeedbackApi stack loops over this list.
 * HTTP routes are not declared here: they come from `routes` in shared/http/routes.ts.
 *
 * To add a function: add its name to `functionNames` in shared/http/routes.ts (this object must then
 * have an entry, or the type check fails), write functions/<name>/handler.ts exporting `handler`,
 * and add its routes to `routes` and/or its triggers here.
 */
/**
 * Least-privilege table access, on the table and its named indexes (shared/store/table.ts; granted by
 * infra/constructs/feedback-function.ts) only:
 * `read` = TABLE_READ_ACTIONS, `readWrite` = those and TABLE_WRITE_ACTIONS, `none` = nothing
 * (static pages).
 */
export type TableAccess = 'none' | 'read' | 'readWrite';
/** The FeedbackData stack's topics a function can subscribe to. */
export type TopicName = 'inboundSms' | 'supervisorAlerts';
/** The FeedbackData stack's SQS queues (each with its own DLQ). */
export type QueueName = 'workOrderReplies' | 'dueWork';
/** The variable a function that sends to or consumes a queue gets its URL in. */
export const queueUrlEnv: Readonly<Record<QueueName, string>> = {
  workOrderReplies: 'WORK_ORDER_QUEUE_URL',
  dueWork: 'DUE_QUEUE_URL',
};

export type Trigger =
  /** Subscribed to an SNS topic of the FeedbackData stack (with a DLQ for undeliverable messages). */
  | { kind: 'topic'; topic: TopicName }
  /** Invoked by an EventBridge rule at a fixed rate (with retries and a DLQ). */
  | { kind: 'schedule'; everyMinutes: number }
  /**
   * Consumes an SQS queue of the FeedbackData stack (event source mapping, partial batch responses:
   * the handler returns `batchItemFailures`); redelivery and the DLQ are the queue's. Not an
   * asynchronous invocation. The function also gets the queue's URL (`queueUrlEnv`).
   */
  | { kind: 'queue'; queue: QueueName; batchSize?: number }
  /**
   * The table's DynamoDB stream (keys only), filtered to INSERTs of items whose pk starts with
   * `pkPrefix` (event source mapping; synchronous, like a queue). A failed batch is retried twice,
   * then skipped: what it held must also be due work the scheduler takes.
   */
  | { kind: 'stream'; pkPrefix: string; batchSize?: number };

export interface FunctionSpec {
  /** Table access the code needs, granted exactly (`read`: no writes at all). */
  access: TableAccess;
  /**
   * Sends SMS. With sns: may sns:Publish straight to phone numbers; with aliyun/tencent: gets
   * SMS_PROVIDER_SECRET_ARN and may read that one secret. (Every function gets SMS_GATEWAY and the
   * provider's non-secret settings: infra/context.ts.)
   */
  sendsSms?: boolean;
  /**
   * Pulls replies and delivery receipts from the provider's API (aliyun/tencent reconcile): gets
   * SMS_PROVIDER_SECRET_ARN and may read that one secret, without any sns:Publish.
   */
  pullsSms?: boolean;
  /**
   * Delivers supervisors' alerts (outbox): gets ALERTS_TOPIC_ARN and may sns:Publish to the
   * SupervisorAlerts topic only.
   */
  sendsAlerts?: boolean;
  /**
   * Verifies Standard Webhooks signatures: gets WEBHOOK_SECRET_ARN and may read that one secret.
   */
  webhookSecret?: boolean;
  /** Sends messages to these queues: gets their URLs (`queueUrlEnv`) and sqs:SendMessage on them only. */
  sendsToQueues?: readonly QueueName[];
  /** Signs the replies to the work order: gets REPLY_SECRETS_ARN and may read that one secret. */
  replySecrets?: boolean;
  /** Checks the SMS providers' callback token: gets SMS_CALLBACK_TOKEN_SECRET_ARN and may read that one secret. */
  smsCallbackToken?: boolean;
  /** Event sources besides HTTP routes. A function with triggers is invoked asynchronously and
   * gets an on-failure dead-letter queue and `asyncRetryAttempts` retries. */
  triggers?: readonly Trigger[];
  /** @default 10 */
  timeoutSeconds?: number;
  /** @default 512 */
  memorySize?: number;
  /** Asynchronous invocations: events older than this many minutes are sent to the DLQ. */
  maxEventAgeMinutes?: number;
  /** @default 2 */
  asyncRetryAttempts?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /**
   * Serves pages that sign users in (shared/web/signin.js): gets SIGNIN_* (the hosted UI's or the
   * issuer's endpoints and client, infra/api-stack.ts), and its pages' URLs are the callback URLs.
   */
  servesPages?: boolean;
  /**
   * Shell commands run in the repository root before esbuild bundles this function, by the CDK
   * bundling (commandHooks) and by `npm run build` (infra/build/bundle.ts): they make files the bundle
   * inlines or ships beside it and that are not checked in.
   */
  beforeBundling?: readonly string[];
  /**
   * Files the function reads at run time from beside its index.mjs instead of having them inlined
   * (paths relative to the repository root; shell globs allowed, each must match): copied into the
   * bundle's directory after esbuild has written it, by the CDK bundling (commandHooks) and by
   * `npm run build`, with the same command (`besideBundleCommands` in infra/build/esbuild-options.ts).
   */
  besideBundle?: readonly string[];
}

/**
 * The functions that answer .xlsx: exceljs, bundled on its own (infra/build/exceljs-chunk.ts), ships
 * beside index.mjs and is imported on the first workbook (shared/http/xlsx.ts), not at cold start.
 */
const writesWorkbooks = {
  beforeBundling: ['npm run --silent xlsx-lib'],
  besideBundle: ['shared/http/generated/exceljs.mjs'],
} as const;

/**
 * The functions that send or pull SMS: the providers' SDKs, bundled on their own
 * (infra/build/provider-sdks-chunk.ts), ship beside index.mjs and are imported on a provider's first
 * send or pull (shared/gateways/provider-sdks/load.ts), not at cold start.
 */
const usesProviderSdks = {
  beforeBundling: ['npm run --silent provider-sdks'],
  besideBundle: ['shared/gateways/provider-sdks/generated/provider-sdks.mjs'],
} as const;

export const functionSpecs: Readonly<Record<FunctionName, FunctionSpec>> = {
  'ticket-completed': {
    access: 'readWrite',
    webhookSecret: true,
  },
  'ticket-reopened': {
    access: 'readWrite',
    webhookSecret: true,
  },
  'sms-inbound': {
    ...usesProviderSdks,
    access: 'readWrite',
    sendsSms: true,
    sendsAlerts: true,
    triggers: [{ kind: 'topic', topic: 'inboundSms' }],
  },
  scheduler: {
    ...usesProviderSdks,
    access: 'readWrite',
    sendsSms: true,
    sendsAlerts: true,
    timeoutSeconds: 60,
    // Hands due replies to the work order to their queue (shared/app/work-order-replies/deliver.ts),
    // and each tick one message per slot group to the due workers (shared/app/scheduler/fan-out-due.ts).
    sendsToQueues: ['workOrderReplies', 'dueWork'],
    triggers: [{ kind: 'schedule', everyMinutes: 1 }],
    // The next tick picks up whatever a failed one left: old ticks are worth nothing.
    maxEventAgeMinutes: 10,
  },
  reports: {
    access: 'read',
    ...writesWorkbooks,
  },
  callbacks: {
    access: 'readWrite',
    sendsAlerts: true,
    ...writesWorkbooks,
    // A whole-queue export (?all=true) reads for up to 12 s, then writes up to 5,000 rows of .xlsx:
    // the HTTP API's own limit (30 s), and the memory that gives a full core to the workbook.
    timeoutSeconds: 29,
    memorySize: 1769,
  },
  'survey-page': {
    ...usesProviderSdks,
    access: 'readWrite',
    sendsSms: true,
    sendsAlerts: true,
  },
  dashboard: {
    access: 'none',
    servesPages: true,
    // The tree-shaken, brotli-compressed ECharts (infra/build/dashboard-echarts.ts): its manifest is
    // inlined, the script itself ships beside index.mjs and is read on the first request for it.
    beforeBundling: ['npm run --silent dashboard-assets'],
    besideBundle: ['shared/web/dashboard/generated/echarts.*.js.br'],
  },
  openapi: {
    access: 'none',
  },
  customers: {
    access: 'readWrite',
  },
  // The SMS providers' pushes: one write each (the inbox), answered at once.
  'sms-callbacks': {
    access: 'readWrite',
    smsCallbackToken: true,
  },
  // The pushes handled as soon as they are stored (the scheduler is the guarantee).
  'sms-inbox': {
    ...usesProviderSdks,
    access: 'readWrite',
    sendsSms: true,
    sendsAlerts: true,
    timeoutSeconds: 30,
    triggers: [{ kind: 'stream', pkPrefix: INBOX_PK_PREFIX, batchSize: 10 }],
  },
  'work-order-reply': {
    access: 'readWrite',
    replySecrets: true,
    // A batch of up to 10 POSTs run side by side, each within its 10 s timeout.
    timeoutSeconds: 30,
    triggers: [{ kind: 'queue', queue: 'workOrderReplies', batchSize: 10 }],
  },
  // The due work of one slot group per message (FIFO: one worker per group at a time), as the
  // scheduler did it before the fan-out: the same steps, so the same permissions.
  'due-worker': {
    access: 'readWrite',
    sendsSms: true,
    sendsAlerts: true,
    timeoutSeconds: 60,
    sendsToQueues: ['workOrderReplies'],
    triggers: [{ kind: 'queue', queue: 'dueWork', batchSize: 1 }],
  },
};
