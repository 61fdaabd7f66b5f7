import {
  Annotations,
  Aws,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  ClientAttributes,
  type IUserPool,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type FunctionName, functionNames, type RouteDef, routes } from '#shared/http/routes';
import { FeedbackFunction } from './constructs/feedback-function.ts';
import type { OidcSignin, SmsGatewayName } from './context.ts';
import { customClaims } from './data-stack.ts';
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
  /** The due workers' FIFO queue: the scheduler sends to it, functions/due-worker consumes it. */
  dueWork: IQueue;
  /** DUE_WORKERS of the function that sends to `dueWork` (the scheduler). @default the configuration's (4) */
  dueWorkers?: number;
  replySecrets: ISecret;
  /** The managers' tokens the JWT authorizer accepts (a Cognito user pool, or an OIDC issuer). */
  managers: ManagersAuth;
  /** The SMS gateway of every function, its provider's settings and secrets. @default sns */
  sms?: SmsSettings;
  /** The path token of the SMS providers' callback URLs. */
  smsCallbackToken: ISecret;
  /** RULES for every function (JSON, validated by the app); absent = the defaults in shared/domain/rules.ts. */
  rules?: string;
  /** PUBLIC_BASE_URL for every function: the base of web-survey links (context `publicBaseUrl`). */
  publicBaseUrl?: string;
  /** X-Ray active tracing of the functions (off in the China regions: no Lambda integration there). @default true */
  tracing?: boolean;
  /** Default-stage throttling. @default rate 50 rps, burst 100 */
  throttle?: { rateLimit: number; burstLimit: number };
}

/** The JWT authorizer's trust: issuer and audience; `env` goes to every function behind it. */
export interface ManagersAuth {
  issuer: string;
  audience: string[];
  /** Which claims carry the role and scopes (OIDC_ISSUER, AUTH_*_CLAIM); empty for Cognito. */
  env: Record<string, string>;
  /**
   * How the pages sign users in (authorization code + PKCE, shared/web/signin.js): the user pool's
   * hosted UI (a domain and a public app client with the pages' URLs as callbacks are made here, the
   * client added to the audience), or the OIDC issuer's endpoints. Absent: pasted tokens only.
   */
  signin?: { kind: 'cognito'; userPool: IUserPool; domainPrefix?: string } | ({ kind: 'oidc' } & OidcSignin);
}

export interface SmsSettings {
  gateway: SmsGatewayName;
  /** Non-secret provider settings (ALIYUN_SMS_ENDPOINT, TENCENT_SMS_*), for every function. */
  env: Record<string, string>;
  /** aliyun/tencent: the credentials, read by the functions that send or pull (SMS_PROVIDER_SECRET_ARN). */
  providerSecret?: ISecret | undefined;
}

/**
 * Why each route without a token is public (cdk-nag AwsSolutions-APIG4 is acknowledged with this
 * reason on that route). A route of shared/http/routes.ts with `auth: false` and no entry here fails
 * the synth: nothing becomes public without a written reason.
 */
const WEBHOOK_REASON =
  'Called by the upstream work-order systems, which have no Cognito identity: every request is ' +
  'authenticated by its Standard Webhooks signature (secret in Secrets Manager, timestamp within 5 ' +
  'minutes) before anything is read or stored; a bad or missing signature answers 401.';
const SURVEY_LINK_REASON =
  'The web survey link sent by SMS to a customer, who has no account: the token in the path (96 ' +
  'random bits, one survey, expires with it, answers once) is the credential.';
const SMS_CALLBACK_REASON =
  'Called by the SMS providers (Aliyun, Tencent Cloud), which sign nothing and have no identity here: ' +
  'the secret token in the path (48 random letters and digits, Secrets Manager) is the credential, ' +
  'compared in constant time before anything is read or stored; a wrong one answers 404.';
const STATIC_REASON =
  'Static content with no data in it (bundled in the function); every data call the page makes ' +
  'goes to the /v1 routes, behind the JWT authorizer, with the signed-in user token.';
export const publicRouteReasons: Readonly<Record<string, string>> = {
  'POST /v1/tickets/completed': WEBHOOK_REASON,
  'POST /v1/tickets/reopened': WEBHOOK_REASON,
  'POST /v1/tickets/dispatched': WEBHOOK_REASON,
  'GET /s/{token}': SURVEY_LINK_REASON,
  'POST /s/{token}': SURVEY_LINK_REASON,
  'POST /v1/sms/aliyun/{token}/replies': SMS_CALLBACK_REASON,
  'POST /v1/sms/aliyun/{token}/receipts': SMS_CALLBACK_REASON,
  'POST /v1/sms/tencent/{token}/replies': SMS_CALLBACK_REASON,
  'POST /v1/sms/tencent/{token}/receipts': SMS_CALLBACK_REASON,
  'GET /dashboard': STATIC_REASON,
  'GET /dashboard/assets/{file}': STATIC_REASON,
  'GET /workbench': STATIC_REASON,
  'GET /openapi.json':
    'The OpenAPI description of this API (generated from the request and response schemas, checked ' +
    'in): a static document with no data in it.',
};

/** PascalCase construct id of a function name: `ticket-completed` -> `TicketCompleted`. */
export function constructId(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Stateless resources: the functions (declared in infra/functions.ts), the HTTP API (routes
 * from shared/http/routes.ts) and the event sources. Safe to delete and redeploy at any time.
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

    // The pages' sign-in: SIGNIN_* for the functions that serve pages; the hosted UI's client is an audience.
    const signin = this.pagesSignIn(props);
    for (const name of functionNames) {
      if (!functionSpecs[name].servesPages) continue;
      for (const [k, v] of Object.entries(signin.env)) functions[name].fn.addEnvironment(k, v);
    }

    // Managers' tokens: issuer = the Cognito user pool or the OIDC issuer, audience = its client(s).
    const authorizer = new HttpJwtAuthorizer('ManagerJwt', props.managers.issuer, {
      jwtAudience: [...props.managers.audience, ...signin.audience],
    });

    // --- Routes: one per entry of shared/http/routes.ts.
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
      const added = this.api.addRoutes({
        path: route.path,
        methods: [httpMethod(route.method)],
        integration,
        // No authorizer = AuthorizationType NONE (the webhook authenticates with signatures).
        authorizer: route.auth ? authorizer : undefined,
      });
      if (!route.auth) {
        const key = `${route.method} ${route.path}`;
        const reason = publicRouteReasons[key];
        if (!reason)
          throw new Error(`${key} has no token: say why in publicRouteReasons (infra/api-stack.ts)`);
        for (const r of added) Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      }
    }

    for (const name of functionNames) {
      if (!routes.some((r) => r.fn === name) && !functionSpecs[name].triggers?.length) {
        Annotations.of(functions[name]).addWarningV2(
          'feedback:function-unused',
          `functions/${name} has no route (shared/http/routes.ts) and no trigger (infra/functions.ts)`,
        );
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
  }

  /**
   * The pages' sign-in. Cognito: the hosted UI on a domain of the user pool and a public app client
   * (authorization code only, no secret: PKCE) whose callback and sign-out URLs are the pages' URLs on
   * this API (and on PUBLIC_BASE_URL when set); its ID tokens carry the custom claims. OIDC: the
   * issuer's endpoints from the context (the client is registered there, with the same URLs).
   */
  private pagesSignIn(props: FeedbackApiStackProps): { env: Record<string, string>; audience: string[] } {
    const signin = props.managers.signin;
    if (!signin) return { env: {}, audience: [] };
    if (signin.kind === 'oidc') {
      return {
        env: {
          SIGNIN_AUTHORIZE_URL: signin.authorizeUrl,
          SIGNIN_TOKEN_URL: signin.tokenUrl,
          SIGNIN_CLIENT_ID: signin.clientId,
          SIGNIN_SCOPE: signin.scope,
          ...(signin.logoutUrl ? { SIGNIN_LOGOUT_URL: signin.logoutUrl } : {}),
        },
        audience: [],
      };
    }
    const pageUrls = [`${this.api.apiEndpoint}/dashboard`];
    if (props.publicBaseUrl) pageUrls.push(`${props.publicBaseUrl.replace(/\/$/, '')}/dashboard`);
    const domain = new UserPoolDomain(this, 'SignInDomain', {
      userPool: signin.userPool,
      cognitoDomain: {
        domainPrefix: signin.domainPrefix ?? Fn.join('-', ['telecom-feedback', Aws.ACCOUNT_ID]),
      },
    });
    const client = new UserPoolClient(this, 'PagesClient', {
      userPool: signin.userPool,
      generateSecret: false,
      // The hosted UI only: no password flows from the pages themselves.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: pageUrls,
        logoutUrls: pageUrls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // A working day: then the user signs in again.
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(...customClaims),
      // Users must not edit their own role/teams/regions/engineerId (privilege escalation).
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    const base = domain.baseUrl();
    new CfnOutput(this, 'SignInUrl', {
      value: `${base}/oauth2/authorize`,
      description: "The hosted UI the pages send users to (callback: the dashboard's URL)",
    });
    return {
      env: {
        SIGNIN_AUTHORIZE_URL: `${base}/oauth2/authorize`,
        SIGNIN_TOKEN_URL: `${base}/oauth2/token`,
        SIGNIN_LOGOUT_URL: `${base}/logout`,
        SIGNIN_CLIENT_ID: client.userPoolClientId,
        SIGNIN_SCOPE: 'openid email profile',
      },
      audience: [client.userPoolClientId],
    };
  }

  private createFunction(
    name: FunctionName,
    spec: FunctionSpec,
    props: FeedbackApiStackProps,
    topics: Record<TopicName, ITopic>,
  ): FeedbackFunction {
    const id = constructId(name);
    // SQS and stream event sources invoke synchronously: only the other triggers make a function asynchronous.
    const isAsync = (spec.triggers ?? []).some((t) => t.kind !== 'queue' && t.kind !== 'stream');
    const queues: Record<QueueName, IQueue> = {
      workOrderReplies: props.workOrderReplies,
      dueWork: props.dueWork,
    };
    const queuesUsed = new Set<QueueName>([
      ...(spec.sendsToQueues ?? []),
      ...(spec.triggers ?? []).flatMap((t) => (t.kind === 'queue' ? [t.queue] : [])),
    ]);

    const sms: SmsSettings = props.sms ?? { gateway: 'sns', env: {} };
    // Calls the SMS provider's API (aliyun/tencent): sends, or pulls replies and receipts.
    const providerSecret = spec.sendsSms || spec.pullsSms ? sms.providerSecret : undefined;
    const checksTokens = routes.some((r) => r.fn === name && r.auth);

    const environment: Record<string, string> = { SMS_GATEWAY: sms.gateway, ...sms.env, ...spec.env };
    if (checksTokens) Object.assign(environment, props.managers.env);
    if (providerSecret) environment.SMS_PROVIDER_SECRET_ARN = providerSecret.secretArn;
    if (props.rules !== undefined) environment.RULES = props.rules;
    if (props.publicBaseUrl !== undefined) environment.PUBLIC_BASE_URL = props.publicBaseUrl;
    if (spec.webhookSecret) environment.WEBHOOK_SECRET_ARN = props.webhookSecret.secretArn;
    if (spec.replySecrets) environment.REPLY_SECRETS_ARN = props.replySecrets.secretArn;
    if (spec.smsCallbackToken) environment.SMS_CALLBACK_TOKEN_SECRET_ARN = props.smsCallbackToken.secretArn;
    for (const q of queuesUsed) environment[queueUrlEnv[q]] = queues[q].queueUrl;
    if (spec.sendsToQueues?.includes('dueWork') && props.dueWorkers !== undefined)
      environment.DUE_WORKERS = String(props.dueWorkers);
    if (spec.sendsAlerts) environment.ALERTS_TOPIC_ARN = props.supervisorAlerts.topicArn;

    const f = new FeedbackFunction(this, id, {
      name,
      table: props.table,
      tableAccess: spec.access,
      timeout: spec.timeoutSeconds ? Duration.seconds(spec.timeoutSeconds) : undefined,
      memorySize: spec.memorySize,
      environment,
      // sns:Publish to phone numbers only where SNS sends the SMS.
      publishesSms: Boolean(spec.sendsSms) && sms.gateway === 'sns',
      tracing: props.tracing,
      readsTableStream: (spec.triggers ?? []).some((t) => t.kind === 'stream'),
      // Asynchronous invocations that still fail after the retries land here.
      deadLetterQueue: isAsync ? this.deadLetterQueue(`${id}AsyncDlq`) : undefined,
      retryAttempts: isAsync ? (spec.asyncRetryAttempts ?? 2) : undefined,
      maxEventAge: isAsync && spec.maxEventAgeMinutes ? Duration.minutes(spec.maxEventAgeMinutes) : undefined,
      beforeBundling: spec.beforeBundling,
      besideBundle: spec.besideBundle,
    });

    if (spec.webhookSecret) props.webhookSecret.grantRead(f.fn);
    if (spec.replySecrets) props.replySecrets.grantRead(f.fn);
    providerSecret?.grantRead(f.fn);
    if (spec.smsCallbackToken) props.smsCallbackToken.grantRead(f.fn);
    for (const q of spec.sendsToQueues ?? []) {
      // SendMessage only (grantSendMessages would add GetQueueAttributes and GetQueueUrl).
      f.fn.addToRolePolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues[q].queueArn] }),
      );
    }
    // Supervisors' alerts: Publish to the SupervisorAlerts topic, and to no other.
    // (SMS senders' sns:Publish on "*" for phone numbers: FeedbackFunction `publishesSms`.)
    if (spec.sendsAlerts) props.supervisorAlerts.grantPublish(f.fn);

    for (const [i, trigger] of (spec.triggers ?? []).entries()) {
      const n = i === 0 ? '' : String(i + 1);
      if (trigger.kind === 'topic') {
        // Messages SNS cannot deliver to the function (e.g. throttling beyond SNS retries).
        topics[trigger.topic].addSubscription(
          new LambdaSubscription(f.fn, {
            deadLetterQueue: this.deadLetterQueue(`${id}SubscriptionDlq${n}`, 'an SNS subscription'),
          }),
        );
      } else if (trigger.kind === 'queue') {
        // Partial batch responses: only the failed messages come back (after their visibility).
        f.fn.addEventSource(
          new SqsEventSource(queues[trigger.queue], {
            batchSize: trigger.batchSize ?? 10,
            reportBatchItemFailures: true,
          }),
        );
      } else if (trigger.kind === 'stream') {
        // Inserts of the items it handles, keys only; a batch that keeps failing is skipped after
        // two retries (the same items are due work the scheduler takes).
        f.fn.addEventSource(
          new DynamoEventSource(props.table, {
            startingPosition: StartingPosition.LATEST,
            batchSize: trigger.batchSize ?? 10,
            retryAttempts: 2,
            maxRecordAge: Duration.minutes(10),
            filters: [
              FilterCriteria.filter({
                eventName: FilterRule.isEqual('INSERT'),
                dynamodb: { Keys: { pk: { S: FilterRule.beginsWith(trigger.pkPrefix) } } },
              }),
            ],
          }),
        );
      } else {
        new Rule(this, `${id}Schedule${n}`, {
          description: `Invokes functions/${name} every ${trigger.everyMinutes} minute(s)`,
          schedule: Schedule.rate(Duration.minutes(trigger.everyMinutes)),
          targets: [
            new LambdaFunction(f.fn, {
              deadLetterQueue: this.deadLetterQueue(`${id}ScheduleDlq${n}`, 'an EventBridge rule target'),
              retryAttempts: 2,
              maxEventAge: Duration.minutes(spec.maxEventAgeMinutes ?? 60),
            }),
          ],
        });
      }
    }
    return f;
  }

  /** A DLQ: 14 days, SQS-managed encryption, TLS only. `of` = what it is the DLQ of, when not a Lambda. */
  private deadLetterQueue(id: string, of?: string): Queue {
    const queue = new Queue(this, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    if (of) {
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          `This queue is the dead-letter queue of ${of} (cdk-nag only recognises queues named in a ` +
          "redrive policy or a Lambda's DeadLetterConfig); a DLQ needs no DLQ of its own.",
      });
    }
    return queue;
  }
}

function httpMethod(method: RouteDef['method']): HttpMethod {
  return HttpMethod[method];
}
