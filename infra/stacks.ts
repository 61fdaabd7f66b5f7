import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FeedbackApiStack, type ManagersAuth } from './api-stack.ts';
import { deployContext } from './context.ts';
import { FeedbackDataStack } from './data-stack.ts';

export { publicBaseUrlFromContext, rulesFromContext } from './context.ts';

/**
 * cdk-nag's AwsSolutions pack as a validation plugin of the app (cdk-nag 3: CDK's own
 * `Validations`, which replaced v2's Aspect and NagSuppressions). Any finding not acknowledged
 * with `Validations.of(construct).acknowledge({ id, reason })` next to its resource fails the
 * synth, with the report. Used by infra/app.ts and the infra tests.
 */
export function addNagChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(checks);
  return checks;
}

/**
 * The two stacks: stateful FeedbackData, and stateless FeedbackApi built on its resources. The CDK
 * context (infra/context.ts) is read and checked first: a bad value stops here, naming its key.
 * Context `region` (else `env.region`, the CLI's) places both stacks; a `cn-*` region puts them in
 * the aws-cn partition (every ARN through the partition).
 */
export function defineStacks(
  app: App,
  env?: Environment,
): { data: FeedbackDataStack; api: FeedbackApiStack } {
  const ctx = deployContext((key) => app.node.tryGetContext(key), env?.region);
  const stackEnv: Environment | undefined = ctx.region ? { ...env, region: ctx.region } : env;
  const data = new FeedbackDataStack(app, 'FeedbackData', {
    env: stackEnv,
    description: 'Telecom feedback: table, SNS topics, secrets, managers user pool (stateful)',
    terminationProtection: true,
    sms: ctx.sms,
    managers: ctx.auth.kind,
  });
  let managers: ManagersAuth;
  if (ctx.auth.kind === 'oidc') {
    managers = {
      issuer: ctx.auth.issuer,
      audience: ctx.auth.audience,
      env: ctx.auth.env,
      ...(ctx.auth.signin ? { signin: { kind: 'oidc' as const, ...ctx.auth.signin } } : {}),
    };
  } else {
    if (!data.userPool || !data.userPoolClient) throw new Error('FeedbackData: no user pool for Cognito');
    // Cognito ID tokens: issuer = the user pool, audience = the app client.
    managers = {
      issuer: `https://${data.userPool.userPoolProviderUrl}`,
      audience: [data.userPoolClient.userPoolClientId],
      env: {},
      // The pages sign in through the pool's hosted UI (a domain and a client in FeedbackApi).
      signin: {
        kind: 'cognito',
        userPool: data.userPool,
        ...(ctx.cognitoDomainPrefix ? { domainPrefix: ctx.cognitoDomainPrefix } : {}),
      },
    };
  }
  const api = new FeedbackApiStack(app, 'FeedbackApi', {
    env: stackEnv,
    description: 'Telecom feedback: functions, HTTP API, schedule (stateless)',
    table: data.table,
    inboundSms: data.inboundSms,
    supervisorAlerts: data.supervisorAlerts,
    webhookSecret: data.webhookSecret,
    workOrderReplies: data.workOrderReplies,
    dueWork: data.dueWork,
    ...(ctx.dueWorkers !== undefined ? { dueWorkers: ctx.dueWorkers } : {}),
    replySecrets: data.replySecrets,
    managers,
    sms: {
      gateway: ctx.sms.gateway,
      env: ctx.sms.env,
      providerSecret: data.smsProviderSecret,
    },
    // Lambda has no X-Ray integration in the China regions.
    tracing: ctx.partition !== 'aws-cn',
    rules: ctx.rules,
    publicBaseUrl: ctx.publicBaseUrl,
    smsCallbackToken: data.smsCallbackToken,
  });
  api.addStackDependency(data, 'FeedbackApi uses the table, topics, secrets and user pool');
  return { data, api };
}
