import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '#shared/config/config';
import { errorLine } from './http-io.ts';
import { localOptionsFromEnv } from './options.ts';
import { startLocalSystem } from './system.ts';

/**
 * `npm start`: the local system (infra/local/system.ts) with the options of the command line and
 * the environment (infra/local/options.ts), until SIGINT or SIGTERM. The parts, one file each:
 * options.ts, dynamo.ts (DynamoDB Local and the table), environment.ts (the functions' configuration),
 * lambda-runtime.ts (handlers built on the system's deps), api-gateway.ts (routes and the JWT authorizer), scheduler.ts,
 * local-endpoints.ts (/local), events.ts (the events AWS would send), secrets.ts, token.ts.
 */
export type { LambdaHandler } from './lambda-runtime.ts';
export { type LocalSystemOptions, localOptionsFromEnv } from './options.ts';
export { type LocalSystem, startLocalSystem } from './system.ts';

/** Where the SMS go when SMS_GATEWAY names a provider: its API's host (no credentials). */
function smsVia(config: Config): string {
  const p = config.smsProvider;
  if (p) return `${p.provider} at ${p.endpoint.protocol}://${p.endpoint.host}`;
  return `Amazon SNS at ${config.SNS_ENDPOINT ?? `the ${config.AWS_REGION} endpoint`}`;
}

async function main(): Promise<void> {
  const options = localOptionsFromEnv(process.env, process.argv.slice(2));
  const sys = await startLocalSystem(options);
  const lines = [
    '',
    'telecom-feedback local system is running',
    `  API             ${sys.url}`,
    `  Dashboard       ${sys.url}/dashboard (本地开发登录: ${sys.url}/local/sign-in, from the page)`,
    `  Workbench       ${sys.url}/workbench (callback agents and supervisors)`,
    `  Webhook secret  ${sys.webhookSecret}`,
    `  Reply secret    ${sys.replySecret} (signs the replies to the work order)`,
    `  SMS callbacks   token ${sys.smsCallbackToken} (register these URLs with the provider):`,
    ...(['aliyun', 'tencent'] as const).flatMap((p) =>
      (['replies', 'receipts'] as const).map(
        (k) => `                  ${sys.url}/v1/sms/${p}/${sys.smsCallbackToken}/${k}`,
      ),
    ),
    `  Admin token     ${sys.adminToken}`,
    '                  (others: npm run --silent token -- --role manager --teams T1)',
    `  Data            ${sys.dataLocation}`,
    `  DynamoDB        ${sys.dynamoEndpoint} (table ${sys.tableName})`,
    sys.deps.config.SMS_GATEWAY === 'outbox'
      ? `  SMS outbox      curl '${sys.url}/local/sms/outbox?phone=13800138000'`
      : `  SMS             sent through ${smsVia(sys.deps.config)} (SMS_GATEWAY=${sys.deps.config.SMS_GATEWAY})`,
    `  Scheduler       ${sys.tickSeconds > 0 ? `every ${sys.tickSeconds}s` : 'timer off'}; run it now: curl -X POST ${sys.url}/local/tick`,
    '',
  ];
  console.log(lines.join('\n'));

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`${signal}: stopping`);
    sys.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(errorLine(err));
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
