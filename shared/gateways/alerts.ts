import { config } from '#shared/config/config';
import type { Alert, AlertGateway } from '#shared/gateways/alerts/alert';
import { localAlertGateway } from '#shared/gateways/alerts/local';
import { snsAlertGateway } from '#shared/gateways/alerts/sns';

export type { Alert, AlertGateway } from '#shared/gateways/alerts/alert';

/**
 * Alerts to supervisors: on AWS (SMS_GATEWAY=sns) the SupervisorAlerts topic (ALERTS_TOPIC_ARN),
 * locally the local log of alerts. Created on first use, once per container.
 */
let gateway: AlertGateway | undefined;

export async function publishAlert(alert: Alert): Promise<{ messageId: string }> {
  gateway ??=
    config.SMS_GATEWAY === 'sns'
      ? snsAlertGateway(config.AWS_REGION, config.ALERTS_TOPIC_ARN)
      : localAlertGateway();
  return gateway.publish(alert);
}
