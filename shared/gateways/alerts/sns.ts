import type { SNSClient } from '@aws-sdk/client-sns';
import type { AlertGateway } from '#shared/gateways/alerts/alert';

/**
 * Alerts on AWS: SNS Publish to the SupervisorAlerts topic, with the audience as message
 * attributes so that subscriptions can filter by level, region and team. The SNS client is loaded
 * and created on the first alert.
 */
export function snsAlertGateway(region: string, topicArn: string | undefined): AlertGateway {
  let client:
    | Promise<{ sns: SNSClient; PublishCommand: typeof import('@aws-sdk/client-sns').PublishCommand }>
    | undefined;
  return {
    async publish(alert) {
      if (!topicArn) throw new Error('ALERTS_TOPIC_ARN is not set');
      client ??= import('@aws-sdk/client-sns').then((m) => ({
        sns: new m.SNSClient({ region }),
        PublishCommand: m.PublishCommand,
      }));
      const { sns, PublishCommand } = await client;
      const res = await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
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
    },
  };
}
