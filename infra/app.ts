import { App } from 'aws-cdk-lib';
import { addNagChecks, defineStacks } from './stacks.ts';

/**
 * CDK app (cdk.json: `npx tsx infra/app.ts`). Without AWS credentials the stacks are
 * environment-agnostic, so `npm run synth` works offline.
 */
const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
defineStacks(app, account || region ? { account, region } : undefined);
// Security checks on every synth (cdk-nag AwsSolutions): an unacknowledged finding fails it.
addNagChecks(app);
