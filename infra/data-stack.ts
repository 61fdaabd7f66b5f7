import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { replyQueueMaxReceives } from '#shared/domain/backoff';
import { table as tableDef } from '#shared/store/table';
import { SmsProviderSecrets } from './constructs/sms-provider-secrets.ts';
import type { SmsContext } from './context.ts';

/** Custom attributes of managers' tokens (`custom:<name>` claims, read by shared/http/auth.ts). */
export const customClaims = ['role', 'teams', 'regions', 'engineerId'] as const;

export interface FeedbackDataStackProps extends StackProps {
  /** The SMS gateway and its provider's settings (infra/context.ts). @default sns */
  sms?: SmsContext;
  /** Where managers' tokens come from: `cognito` creates the user pool, `oidc` none. @default cognito */
  managers?: 'cognito' | 'oidc';
}

/**
 * Stateful resources: everything here is kept when the stack is deleted and is never replaced
 * by a stateless change. The FeedbackApi stack receives these resources as props.
 */
export class FeedbackDataStack extends Stack {
  readonly table: Table;
  /** End User Messaging (SNS two-way SMS) publishes customers' replies here. */
  readonly inboundSms: Topic;
  readonly supervisorAlerts: Topic;
  /** Standard Webhooks signing secret of POST /v1/tickets/completed. */
  readonly webhookSecret: Secret;
  /** Replies to the work order (回复工单) waiting for their next delivery attempt (messages in flight). */
  readonly workOrderReplies: Queue;
  /** Replies whose delivery was given up (24 hours of retries, or refused): kept 14 days. */
  readonly workOrderRepliesDlq: Queue;
  /** The due workers' tick messages (FIFO, one message group per slot group), and their DLQ. */
  readonly dueWork: Queue;
  readonly dueWorkDlq: Queue;
  /** Our Standard Webhooks signing secrets of the replies, per source (JSON map). */
  readonly replySecrets: Secret;
  /** Managers' user pool and its app client: absent when tokens come from an OIDC issuer. */
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;
  /** With aliyun/tencent: the provider's credentials (created here, or the imported secret). */
  readonly smsProviderSecret?: ISecret;
  /** The secret path segment of the SMS providers' callback URLs (/v1/sms/{provider}/{token}/...). */
  readonly smsCallbackToken: Secret;

  constructor(scope: Construct, id: string, props: FeedbackDataStackProps = {}) {
    super(scope, id, props);
    const gateway = props.sms?.gateway ?? 'sns';

    // --- Table: keys, indexes and TTL from shared/store/table.ts (also used by the local system).
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableDef.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDef.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDef.ttlAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      // Keys only: functions/sms-inbox handles the SMS providers' pushes as they are stored.
      stream: StreamViewType.KEYS_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of tableDef.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    // --- Topics. Not KMS-encrypted: End User Messaging cannot publish to a topic encrypted with
    // the AWS-managed SNS key; TLS is enforced instead.
    this.inboundSms = new Topic(this, 'InboundSms', {
      displayName: 'Inbound SMS replies',
      enforceSSL: true,
    });
    // Two-way SMS: let End User Messaging SMS publish replies, for this account only (sns only:
    // with aliyun/tencent the replies come by their callbacks, and End User Messaging is not in the
    // China regions).
    if (gateway === 'sns') {
      this.inboundSms.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowEndUserMessagingTwoWaySms',
          principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [this.inboundSms.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }
    this.supervisorAlerts = new Topic(this, 'SupervisorAlerts', {
      displayName: 'Supervisor alerts',
      enforceSSL: true,
    });

    // --- Webhook signing secret. Operators set the real value (the one the upstream systems sign
    // with) after the first deploy:
    //   aws secretsmanager put-secret-value --secret-id <WebhookSecretArn> --secret-string 'whsec_...'
    // SecretString format = the local WEBHOOK_SECRET variable: one or more Standard Webhooks
    // secrets (`whsec_<base64>`), comma-separated while rotating. The generated placeholder is 48
    // alphanumeric characters, i.e. valid unprefixed base64 that Standard Webhooks accepts as is.
    this.webhookSecret = new Secret(this, 'WebhookSigningSecret', {
      description:
        'Standard Webhooks signing secret(s) for POST /v1/tickets/completed (whsec_..., comma-separated)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is shared with the upstream work-order systems, which sign with it: a rotation ' +
        'Lambda cannot change their side. Operators rotate it with them, both secrets valid at once ' +
        '(comma-separated) until every sender has moved.',
    });

    // --- Replies to the work order: the scheduler sends one message per due reply; the
    // work-order-reply function retries through the message's visibility (backoff of
    // shared/domain/backoff.ts, up to 24 hours) and lets a dead one go to the DLQ. maxReceiveCount comes
    // from the same schedule, so SQS never dead-letters a reply that is still being retried.
    // Here, not in FeedbackApi: messages in flight and dead letters outlive a redeploy of the functions.
    this.workOrderRepliesDlq = new Queue(this, 'WorkOrderRepliesDlq', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.workOrderReplies = new Queue(this, 'WorkOrderReplies', {
      // Six times the consumer's 30-second timeout (AWS's advice for Lambda event sources).
      visibilityTimeout: Duration.minutes(3),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.workOrderRepliesDlq, maxReceiveCount: replyQueueMaxReceives() },
    });

    // --- The due workers' queue (shared/app/scheduler/fan-out-due.ts): each minute the scheduler
    // sends one message per group of the due index's slots; functions/due-worker reads that group.
    // FIFO, the group as message group: one worker per group at a time. A message lives 10 minutes
    // (the next ticks cover the same slots; the due items stay in the index), is seen again after
    // 90 s (the worker's 60 s timeout and a margin) and after 3 failed reads goes to the DLQ.
    this.dueWorkDlq = new Queue(this, 'DueWorkDlq', {
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.dueWork = new Queue(this, 'DueWork', {
      fifo: true,
      visibilityTimeout: Duration.seconds(90),
      retentionPeriod: Duration.minutes(10),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.dueWorkDlq, maxReceiveCount: 3 },
    });

    // --- Our signing secrets of the replies: a JSON map { "<source>": "whsec_..." }; "*" signs for
    // any source without its own. Deployed with a generated "*" (48 alphanumeric characters: valid
    // unprefixed base64); give each work-order system its own with
    //   aws secretsmanager put-secret-value --secret-id <ReplySecretsArn> --secret-string '{"ossA":"whsec_...","*":"whsec_..."}'
    this.replySecrets = new Secret(this, 'ReplySigningSecrets', {
      description:
        'Standard Webhooks signing secrets of the replies to the work order, per source (JSON map)',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: '*',
        passwordLength: 48,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.replySecrets).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Each value is shared with a work-order system, which verifies our replies with it: a rotation ' +
        'Lambda cannot change their side. Operators rotate a source with its receiver, replacing its ' +
        'entry of the JSON map.',
    });

    // --- The SMS providers' callback token (Aliyun and Tencent push unsigned): the generated value
    // (48 letters and digits, URL-safe) is the path segment of the four callback URLs operators
    // register with the provider (README "Replies and delivery receipts").
    this.smsCallbackToken = new Secret(this, 'SmsCallbackToken', {
      description: 'Path token of the SMS providers callback URLs (/v1/sms/{provider}/{token}/...)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.smsCallbackToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is part of the callback URLs registered in the SMS provider console: a rotation ' +
        'Lambda cannot change them there. Operators rotate it by registering the new URLs and then ' +
        'putting the new value (functions read it once per container).',
    });

    // --- SMS provider (aliyun/tencent): its credentials.
    if (props.sms && gateway !== 'sns') {
      const provider = new SmsProviderSecrets(this, 'SmsProvider', {
        gateway,
        importedSecretArn: props.sms.importedSecretArn,
      });
      this.smsProviderSecret = provider.credentials;
    }

    // --- Managers' identities (Cognito; none with an OIDC issuer).
    if ((props.managers ?? 'cognito') === 'cognito') {
      [this.userPool, this.userPoolClient] = this.managersUserPool();
    }

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'InboundSmsTopicArn', {
      value: this.inboundSms.topicArn,
      description: 'Two-way SMS destination (End User Messaging SMS phone number / pool)',
    });
    new CfnOutput(this, 'SupervisorAlertsTopicArn', { value: this.supervisorAlerts.topicArn });
    new CfnOutput(this, 'WebhookSecretArn', {
      value: this.webhookSecret.secretArn,
      description: 'Set the real signing secret here (whsec_...)',
    });
    new CfnOutput(this, 'WorkOrderRepliesDlqUrl', {
      value: this.workOrderRepliesDlq.queueUrl,
      description: 'Replies to the work order given up on (redrive after fixing the receiver)',
    });
    new CfnOutput(this, 'ReplySecretsArn', {
      value: this.replySecrets.secretArn,
      description: 'Signing secrets of the replies to the work order ({"<source>": "whsec_..."})',
    });
    new CfnOutput(this, 'SmsCallbackTokenArn', {
      value: this.smsCallbackToken.secretArn,
      description:
        'Path token of the SMS callback URLs (/v1/sms/{aliyun|tencent}/{token}/{replies|receipts})',
    });
    if (this.userPool && this.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    }
  }

  /** The managers' Cognito user pool and app client (ids unchanged: retained, never replaced). */
  private managersUserPool(): [UserPool, UserPoolClient] {
    // --- Managers' identities: ID tokens carry custom:role, custom:teams and custom:regions (JSON
    // arrays of names, e.g. ["North Team"]) and custom:engineerId, which the HTTP API's JWT
    // authorizer hands to the functions (shared/http/auth.ts).
    const userPool = new UserPool(this, 'Managers', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: false, mutable: true } },
      customAttributes: {
        role: new StringAttribute({ minLen: 1, maxLen: 32, mutable: true }),
        teams: new StringAttribute({ maxLen: 2048, mutable: true }),
        regions: new StringAttribute({ maxLen: 2048, mutable: true }),
        engineerId: new StringAttribute({ maxLen: 64, mutable: true }),
      },
      // 12+ characters with lower and upper case, digits and symbols (cdk-nag AwsSolutions-COG1).
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA (TOTP, no SMS) is offered to every user and optional: the pool also serves field ' +
          "engineers and agents, and whether a second factor is required is the operator's policy " +
          '(mfa: Mfa.REQUIRED here to require it).',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is a paid plan, billed per monthly active user, ' +
          "and the operator's choice; without it the pool still has no self sign-up (administrators " +
          'create users), a strong password policy and optional TOTP MFA. Set featurePlan: ' +
          'FeaturePlan.PLUS where it is offered and wanted.',
      },
    );

    // No role groups: custom:role is the one source of a user's role (shared/http/auth.ts), so that a
    // demotion cannot be overridden by a group membership left behind. Only ID tokens are accepted
    // (access tokens carry groups, not the custom attributes).

    const userPoolClient = userPool.addClient('ManagersClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      // No hosted UI yet: without this, the client would get OAuth flows with a placeholder callback.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(...customClaims),
      // Users must not edit their own role/teams/regions/engineerId (privilege escalation):
      // only administrators set them (AdminUpdateUserAttributes).
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    return [userPool, userPoolClient];
  }
}
