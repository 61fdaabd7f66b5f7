import type { PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';

/**
 * SNS Publish for the gateways that use it (SMS to a phone number, supervisors' alerts to a topic):
 * the SNS client is loaded and created on the first publish, so a function that never publishes
 * never loads it. `endpoint` (SNS_ENDPOINT) replaces the region's API, e.g. with a local stand-in.
 */
export function lazySnsPublish(
  region: string,
  endpoint?: string,
): (input: PublishCommandInput) => Promise<PublishCommandOutput> {
  let client: Promise<(input: PublishCommandInput) => Promise<PublishCommandOutput>> | undefined;
  return async (input) => {
    client ??= import('@aws-sdk/client-sns').then((m) => {
      const sns = new m.SNSClient({ region, ...(endpoint ? { endpoint } : {}) });
      return (i: PublishCommandInput) => sns.send(new m.PublishCommand(i));
    });
    return (await client)(input);
  };
}
