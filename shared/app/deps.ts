import { type Config, configFromProcessEnv } from '#shared/config/config';
import type { Rules } from '#shared/domain/rules';
import { type AlertGateway, alertGateway } from '#shared/gateways/alerts';
import { type SmsGateway, smsGateway } from '#shared/gateways/sms';
import { type WebhookSecrets, webhookSecrets } from '#shared/gateways/webhook-secrets';
import { type WorkOrderHttp, workOrderHttp } from '#shared/gateways/work-order-http';
import { type ReplyQueue, replyQueue, sqsPort } from '#shared/gateways/work-order-queue';
import { type ReplySecrets, replySecrets } from '#shared/gateways/work-order-reply-secrets';
import { type Clock, systemClock } from '#shared/runtime/clock';
import { createDbClient, useDb } from '#shared/store/client';

/**
 * What the use cases work with, built once per container at the composition root (each
 * functions/<name>/handler.ts, the local server, the tests) and passed in as a parameter.
 */
export interface Deps {
  config: Config;
  rules: Rules;
  clock: Clock;
  sms: SmsGateway;
  alerts: AlertGateway;
  workOrderHttp: WorkOrderHttp;
  /** The queue of replies to the work order (on AWS); absent = the scheduler delivers them. */
  replyQueue?: ReplyQueue | undefined;
  webhookSecrets: WebhookSecrets;
  replySecrets: ReplySecrets;
}

/** Stand-ins for what buildDeps would create (the local server's clock, tests' fakes). */
export type DepsOverrides = Partial<Omit<Deps, 'config' | 'rules'>>;

/**
 * The one factory: the gateways and the AWS clients of a configuration (created here, never at
 * import), and the store pointed at its table.
 */
export function buildDeps(config: Config, overrides: DepsOverrides = {}): Deps {
  useDb({
    client: createDbClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
    table: config.TABLE_NAME,
    dueShards: config.DUE_SHARDS,
    retentionDays: config.rules.retention.days,
    caseRetentionDays: config.rules.complaints.retentionDays,
    replyUrl: (source) => config.rules.sources[source]?.replyUrl,
  });
  const clock = overrides.clock ?? systemClock;
  const secrets = overrides.replySecrets ?? replySecrets(config.replySecrets);
  const queueUrl = config.WORK_ORDER_QUEUE_URL;
  return {
    config,
    rules: config.rules,
    clock,
    sms: overrides.sms ?? smsGateway(config, clock),
    alerts: overrides.alerts ?? alertGateway(config, clock),
    workOrderHttp: overrides.workOrderHttp ?? workOrderHttp(secrets),
    replyQueue:
      'replyQueue' in overrides
        ? overrides.replyQueue
        : queueUrl
          ? replyQueue(sqsPort(config), queueUrl)
          : undefined,
    webhookSecrets: overrides.webhookSecrets ?? webhookSecrets(config.webhookSecrets),
    replySecrets: secrets,
  };
}

/** The dependencies of this process's environment (a handler's composition root). */
export function depsFromProcessEnv(): Deps {
  return buildDeps(configFromProcessEnv());
}
