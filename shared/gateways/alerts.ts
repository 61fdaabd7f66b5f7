import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { config } from '#shared/config/config';
import { now } from '#shared/runtime/clock';
import { newId } from '#shared/runtime/ids';
import { appendLocal, listLocal } from '#shared/store/local-log';

/**
 * Alerts to supervisors. On AWS: SNS Publish to the SupervisorAlerts topic (ALERTS_TOPIC_ARN),
 * with the audience as a message attribute so subscriptions can filter by level and region.
 * Locally (SMS_GATEWAY=outbox): kept in the local outbox of alerts (GET /local/alerts).
 * An alert never carries a phone number in clear: callers pass masked ones.
 */
export interface Alert {
  kind: 'callback_opened' | 'callback_overdue';
  /** `supervisors` (the team's) or `region` (escalation). */
  level: 'supervisors' | 'region';
  team: string;
  region: string;
  caseId: string;
  subject: string;
  message: string;
}

export interface AlertEntry extends Alert {
  alertId: string;
  sentAt: string;
}

const sns = config.SMS_GATEWAY === 'sns' ? new SNSClient({ region: config.AWS_REGION }) : undefined;
const ALERTS_PK = 'LOCAL#ALERTS';

export async function publishAlert(alert: Alert): Promise<{ messageId: string }> {
  if (sns) {
    if (!config.ALERTS_TOPIC_ARN) throw new Error('ALERTS_TOPIC_ARN is not set');
    const res = await sns.send(
      new PublishCommand({
        TopicArn: config.ALERTS_TOPIC_ARN,
        Subject: alert.subject.slice(0, 100),
        Message: JSON.stringify(alert),
        MessageAttributes: {
          level: { DataType: 'String', StringValue: alert.level },
          region: { DataType: 'String', StringValue: alert.region },
          team: { DataType: 'String', StringValue: alert.team },
        },
      }),
    );
    return { messageId: res.MessageId ?? '' };
  }
  const alertId = newId();
  await appendLocal(ALERTS_PK, { alertId, sentAt: now().toISOString(), ...alert });
  return { messageId: alertId };
}

/** Local only: every alert published, oldest first. */
export async function listAlerts(): Promise<AlertEntry[]> {
  return (await listLocal(ALERTS_PK)) as unknown as AlertEntry[];
}
