import type { Alert, AlertGateway } from '#shared/gateways/alerts/alert';
import type { Clock } from '#shared/runtime/clock';
import { newId } from '#shared/runtime/ids';
import { appendLocal, listLocal } from '#shared/store/local-log';

/** Alerts locally (SMS_GATEWAY=outbox): kept in the local log of alerts (GET /local/alerts). */
export interface AlertEntry extends Alert {
  alertId: string;
  sentAt: string;
}

export function localAlertGateway(clock: Clock): AlertGateway {
  return {
    async publish(alert) {
      const alertId = newId();
      const at = clock.now();
      await appendLocal('alerts', { alertId, sentAt: at.toISOString(), ...alert }, at);
      return { messageId: alertId };
    },
  };
}

/** Local only: every alert published, oldest first. */
export async function listAlerts(): Promise<AlertEntry[]> {
  return (await listLocal('alerts')) as unknown as AlertEntry[];
}
