import type { AlertGateway } from '#shared/gateways/alerts/alert';
import { lazySnsPublish } from '#shared/gateways/sns-publish';

/**
 * Alerts on AWS: SNS Publish to the SupervisorAlerts topic, with the audience as message
 * attributes so that subscriptions can filter by level, region and team. The SNS client is loaded
 * and created on the first alert.
 */
export function snsAlertGateway(
  region: string,
  topicArn: string | undefined,
  endpoint?: string,
): AlertGateway {
  const send = lazySnsPublish(region, endpoint);
  return {
    async publish(alert) {
      if (!topicArn) throw new Error('ALERTS_TOPIC_ARN is not set');
      const res = await send({
        TopicArn: topicArn,
        Subject: alert.subject.slice(0, 100),
        Message: JSON.stringify(alert),
        MessageAttributes: {
          level: { DataType: 'String', StringValue: alert.level },
          region: { DataType: 'String', StringValue: alert.region },
          team: { DataType: 'String', StringValue: alert.team },
        },
      });
      return { messageId: res.MessageId ?? '' };
    },
  };
}
