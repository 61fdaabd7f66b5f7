import type { Config } from '#shared/config/config';
import type { AlertGateway } from '#shared/gateways/alerts/alert';
import { localAlertGateway } from '#shared/gateways/alerts/local';
import { snsAlertGateway } from '#shared/gateways/alerts/sns';
import type { Clock } from '#shared/runtime/clock';

export type { Alert, AlertGateway } from '#shared/gateways/alerts/alert';

/**
 * Alerts to supervisors: locally (SMS_GATEWAY=outbox) the local log of alerts; everywhere else the
 * SupervisorAlerts topic (ALERTS_TOPIC_ARN), whichever provider sends the customers' SMS. Built once
 * per container, by the composition root.
 */
export function alertGateway(config: Config, clock: Clock): AlertGateway {
  return config.SMS_GATEWAY === 'outbox'
    ? localAlertGateway(clock)
    : snsAlertGateway(config.AWS_REGION, config.ALERTS_TOPIC_ARN);
}
