import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPoolClient, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type FunctionName, functionNames, type RouteDef, routes } from '#shared/routes';
import { FeedbackFunction } from './constructs/feedback-function.ts';
import {
  type FunctionSpec,
  functionSpecs,
  type QueueName,
  queueUrlEnv,
  type TopicName,
} from './functions.ts';

export interface FeedbackApiStackProps extends StackProps {
  table: ITable;
  inboundSms: ITopic;
  supervisorAlerts: ITopic;
  webhookSecret: ISecret;
  /** Queue of the replies to the work order (with its DLQ), and our signing secrets of them. */
  workOrderReplies: IQueue;
  replySecrets: ISecret;
  userPool: UserPool;
  userPoolClient: IUserPoolClient;
  /** RULES for every function (JSON, validated by the app); absent = the defaults in shared/rules.ts. */
  rules?: string;
  /** Default-stage throttling. @default rate 50 rps, burst 100 */
  throttle?: { rateLimit: number; burstLimit: number };
}

/** PascalCase construct id of a function name: `ticket-completed` -> `TicketCompleted`. */
export function constructId(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Stateless resources: the functions (declared in infra/functions.ts), the HTTP API (routes
 * from shared/routes.ts) and the event sources. Safe to delete and redeploy at any time.
 */
export class FeedbackApiStack extends Stack {
  readonly functions: Record<FunctionName, FeedbackFunction>;
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: FeedbackApiStackProps) {
    super(scope, id, props);

    const topics: Record<TopicName, ITopic> = {
      inboundSms: props.inboundSms,
      supervisorAlerts: props.supervisorAlerts,
    };

    const functions = {} as Record<FunctionName, FeedbackFunction>;
    for (const name of functionNames) {
      functions[name] = this.createFunction(name, functionSpecs[name], props, topics);
    }
    this.functions = functions;

    // --- HTTP API: default stage with throttling and JSON access logs.
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: 'telecom-feedback',
      description: 'Telecom field-service customer feedback',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.SIX_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            principal: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    // Managers' Cognito ID tokens: issuer = the user pool, audience = the app client.
    const authorizer = new HttpJwtAuthorizer('ManagerJwt', `https://${props.userPool.userPoolProviderUrl}`, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
    });

    // --- Routes: one per entry of shared/routes.ts.
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${constructId(route.fn)}Integration`,
          functions[route.fn].fn,
        );
        integrations.set(route.fn, integration);
      }
      this.api.addRoutes({
        path: route.path,
        methods: [httpMethod(route.method)],
        integration,
        // No authorizer = AuthorizationType NONE (the webhook authenticates with signatures).
        authorizer: route.auth ? authorizer : undefined,
      });
    }

    for (const name of functionNames) {
      if (!routes.some((r) => r.fn === name) && !functionSpecs[name].triggers?.length) {
        Annotations.of(functions[name]).addWarningV2(
          'feedback:function-unused',
          `functions/${name} has no route (shared/routes.ts) and no trigger (infra/functions.ts)`,
        );
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
  }

  private createFunction(
    name: FunctionName,
    spec: FunctionSpec,
    props: FeedbackApiStackProps,
    topics: Record<TopicName, ITopic>,
  ): FeedbackFunction {
    const id = constructId(name);
    // SQS event sources invoke synchronously: only the other triggers make a function asynchronous.
    const isAsync = (spec.triggers ?? []).some((t) => t.kind !== 'queue');
    const queues: Record<QueueName, IQueue> = { workOrderReplies: props.workOrderReplies };
    const queuesUsed = new Set<QueueName>([
      ...(spec.sendsToQueues ?? []),
      ...(spec.triggers ?? []).flatMap((t) => (t.kind === 'queue' ? [t.queue] : [])),
    ]);

    const environment: Record<string, string> = { SMS_GATEWAY: 'sns', ...spec.env };
    if (props.rules !== undefined) environment.RULES = props.rules;
    if (spec.webhookSecret) environment.WEBHOOK_SECRET_ARN = props.webhookSecret.secretArn;
    if (spec.replySecrets) environment.REPLY_SECRETS_ARN = props.replySecrets.secretArn;
    for (const q of queuesUsed) environment[queueUrlEnv[q]] = queues[q].queueUrl;
    if (spec.sendsAlerts) environment.ALERTS_TOPIC_ARN = props.supervisorAlerts.topicArn;

    const f = new FeedbackFunction(this, id, {
      name,
      table: props.table,
      tableAccess: spec.access,
      timeout: spec.timeoutSeconds ? Duration.seconds(spec.timeoutSeconds) : undefined,
      memorySize: spec.memorySize,
      environment,
      // Asynchronous invocations that still fail after the retries land here.
      deadLetterQueue: isAsync ? this.deadLetterQueue(`${id}AsyncDlq`) : undefined,
      retryAttempts: isAsync ? (spec.asyncRetryAttempts ?? 2) : undefined,
      maxEventAge: isAsync && spec.maxEventAgeMinutes ? Duration.minutes(spec.maxEventAgeMinutes) : undefined,
    });

    if (spec.webhookSecret) props.webhookSecret.grantRead(f.fn);
    if (spec.replySecrets) props.replySecrets.grantRead(f.fn);
    for (const q of spec.sendsToQueues ?? []) {
      // SendMessage only (grantSendMessages would add GetQueueAttributes and GetQueueUrl).
      f.fn.addToRolePolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues[q].queueArn] }),
      );
    }
    // Supervisors' alerts: Publish to the SupervisorAlerts topic, and to no other.
    if (spec.sendsAlerts) props.supervisorAlerts.grantPublish(f.fn);

    if (spec.sendsSms) {
      // SNS Publish to a phone number (PhoneNumber=...) has no resource to scope to: IAM evaluates
      // it against "*", and SNS has no condition key for phone numbers. The grant is therefore
      // sns:Publish on "*"; no topic grants are given to these functions.
      f.fn.addToRolePolicy(
        new PolicyStatement({ sid: 'PublishSmsToPhoneNumbers', actions: ['sns:Publish'], resources: ['*'] }),
      );
    }

    for (const [i, trigger] of (spec.triggers ?? []).entries()) {
      const n = i === 0 ? '' : String(i + 1);
      if (trigger.kind === 'topic') {
        // Messages SNS cannot deliver to the function (e.g. throttling beyond SNS retries).
        topics[trigger.topic].addSubscription(
          new LambdaSubscription(f.fn, { deadLetterQueue: this.deadLetterQueue(`${id}SubscriptionDlq${n}`) }),
        );
      } else if (trigger.kind === 'queue') {
        // Partial batch responses: only the failed messages come back (after their visibility).
        f.fn.addEventSource(
          new SqsEventSource(queues[trigger.queue], {
            batchSize: trigger.batchSize ?? 10,
            reportBatchItemFailures: true,
          }),
        );
      } else {
        new Rule(this, `${id}Schedule${n}`, {
          description: `Invokes functions/${name} every ${trigger.everyMinutes} minute(s)`,
          schedule: Schedule.rate(Duration.minutes(trigger.everyMinutes)),
          targets: [
            new LambdaFunction(f.fn, {
              deadLetterQueue: this.deadLetterQueue(`${id}ScheduleDlq${n}`),
              retryAttempts: 2,
              maxEventAge: Duration.minutes(spec.maxEventAgeMinutes ?? 60),
            }),
          ],
        });
      }
    }
    return f;
  }

  private deadLetterQueue(id: string): Queue {
    return new Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
  }
}

function httpMethod(method: RouteDef['method']): HttpMethod {
  return HttpMethod[method];
}
