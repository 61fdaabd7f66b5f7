import type { Config } from '#shared/config/config';
import type { AlertGateway } from '#shared/gateways/alerts/alert';
import { localAlertGateway } from '#shared/gateways/alerts/local';
import { snsAlertGateway } from '#shared/gateways/alerts/sns';
import type { Clock } from '#shared/runtime/clock';

export type { Alert, AlertGateway } from '#shared/gateways/alerts/alert';

/**
 * Alerts to supervisors: the SupervisorAlerts topic (ALERTS_TOPIC_ARN), whichever provider sends
 * the customers' SMS; locally (SMS_GATEWAY=outbox, or DynamoDB Local without a topic: `npm start`
 * with a real SMS provider) the local log of alerts. Built once per container, by the composition root.
 */
export function alertGateway(config: Config, clock: Clock): AlertGateway {
  const local =
    config.SMS_GATEWAY === 'outbox' ||
    (config.ALERTS_TOPIC_ARN === undefined && config.DYNAMODB_ENDPOINT !== undefined);
  return local
    ? localAlertGateway(clock)
    : snsAlertGateway(config.AWS_REGION, config.ALERTS_TOPIC_ARN, config.SNS_ENDPOINT);
}
