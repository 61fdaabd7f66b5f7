import { type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseRules, replyUrlProblem } from '#shared/domain/rules';
import { FeedbackApiStack } from './api-stack.ts';
import { FeedbackDataStack } from './data-stack.ts';

/**
 * RULES for the functions from the CDK context `rules` (cdk.json, or `-c rules='{"survey":...}'`),
 * as a JSON object or a JSON string. Validated here with the functions' own schema, so a bad
 * value fails `cdk synth` instead of every cold start. Absent = no RULES variable (defaults).
 */
export function rulesFromContext(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const json = typeof value === 'string' ? value : JSON.stringify(value);
  parseRules(json);
  return json;
}

/**
 * PUBLIC_BASE_URL for the functions from the CDK context `publicBaseUrl` (the API's custom domain,
 * e.g. https://feedback.example.cn): the base of the web-survey links in SMS. Required when a source
 * has `webSurvey` (the functions would refuse to start without it), so synth fails first.
 */
export function publicBaseUrlFromContext(value: unknown, rules: string | undefined): string | undefined {
  const url = typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  const problem =
    url === undefined
      ? undefined
      : (replyUrlProblem(url) ?? (/[?#]/.test(url) ? 'no query or fragment' : undefined));
  if (problem) throw new Error(`context publicBaseUrl: ${problem}`);
  const webSurvey = Object.entries(rules === undefined ? {} : parseRules(rules).sources).filter(
    ([, s]) => s.webSurvey,
  );
  if (webSurvey.length > 0 && url === undefined) {
    throw new Error(
      `context publicBaseUrl is required: sources ${webSurvey.map(([id]) => id).join(', ')} send web-survey links`,
    );
  }
  return url;
}

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

/** The two stacks: stateful FeedbackData, and stateless FeedbackApi built on its resources. */
export function defineStacks(
  app: App,
  env?: Environment,
): { data: FeedbackDataStack; api: FeedbackApiStack } {
  const rules = rulesFromContext(app.node.tryGetContext('rules'));
  const data = new FeedbackDataStack(app, 'FeedbackData', {
    env,
    description: 'Telecom feedback: table, SNS topics, webhook secret, managers user pool (stateful)',
    terminationProtection: true,
  });
  const api = new FeedbackApiStack(app, 'FeedbackApi', {
    env,
    description: 'Telecom feedback: functions, HTTP API, schedule (stateless)',
    table: data.table,
    inboundSms: data.inboundSms,
    supervisorAlerts: data.supervisorAlerts,
    webhookSecret: data.webhookSecret,
    workOrderReplies: data.workOrderReplies,
    replySecrets: data.replySecrets,
    smsCallbackToken: data.smsCallbackToken,
    userPool: data.userPool,
    userPoolClient: data.userPoolClient,
    rules,
    publicBaseUrl: publicBaseUrlFromContext(app.node.tryGetContext('publicBaseUrl'), rules),
  });
  api.addStackDependency(data, 'FeedbackApi uses the table, topics, secret and user pool');
  return { data, api };
}
