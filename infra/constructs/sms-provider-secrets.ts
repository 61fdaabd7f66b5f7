import { CfnOutput, RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The JSON keys of the provider's credentials secret (read by the provider's SMS gateway). */
export const providerSecretKeys = {
  aliyun: ['accessKeyId', 'accessKeySecret'],
  tencent: ['secretId', 'secretKey'],
} as const;

export interface SmsProviderSecretsProps {
  gateway: keyof typeof providerSecretKeys;
  /** An existing secret holding the credentials (complete ARN); absent = one is created here. */
  importedSecretArn?: string | undefined;
}

/**
 * The secrets of a Chinese SMS provider (Aliyun SMS or Tencent Cloud SMS), in the FeedbackData
 * stack: kept when the stack is deleted.
 *
 * - `credentials`: one JSON secret, `{"accessKeyId","accessKeySecret"}` (aliyun) or
 *   `{"secretId","secretKey"}` (tencent), read by the functions that call the provider's API
 *   (SMS_PROVIDER_SECRET_ARN). Created with both values empty, so that the functions refuse to send
 *   until an operator puts the real keys (a RAM / CAM sub-account allowed to send SMS only), or
 *   imported from context `smsProviderSecretArn`.
 * (The callbacks' path token is the data stack's SmsCallbackToken, created whatever the gateway.)
 */
export class SmsProviderSecrets extends Construct {
  readonly credentials: ISecret;

  constructor(scope: Construct, id: string, props: SmsProviderSecretsProps) {
    super(scope, id);
    const keys = providerSecretKeys[props.gateway];

    if (props.importedSecretArn) {
      this.credentials = Secret.fromSecretCompleteArn(this, 'Credentials', props.importedSecretArn);
    } else {
      const credentials = new Secret(this, 'Credentials', {
        description:
          `${props.gateway} SMS API credentials: JSON {"${keys[0]}":"...","${keys[1]}":"..."} ` +
          '(empty until an operator sets them)',
        // No secret in the template: both values empty, so nothing is sent before the real keys are set.
        secretObjectValue: Object.fromEntries(keys.map((k) => [k, SecretValue.unsafePlainText('')])),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(credentials).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          "The value is an access key of the SMS provider's account (Aliyun RAM / Tencent Cloud CAM), " +
          'issued in their console: a rotation Lambda in AWS cannot create or revoke it. Operators rotate ' +
          'it there and put the new pair here (the functions read it once per container).',
      });
      this.credentials = credentials;
    }

    new CfnOutput(scope, 'SmsProviderSecretArn', {
      value: this.credentials.secretArn,
      description: `Put the ${props.gateway} SMS credentials here: {"${keys[0]}":"...","${keys[1]}":"..."}`,
    });
  }
}
