import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import {
  awsRegion,
  blankAsUnset,
  ConfigError,
  httpUrl,
  issueLines,
  tableName as tableNameSchema,
} from '#shared/config/check';
import type { FunctionName } from '#shared/http/routes';
import * as z from '#shared/runtime/zod';
import type { LambdaHandler } from './lambda-runtime.ts';
import { dataDir as defaultDataDir } from './secrets.ts';

/** The local system's options, and `npm start`'s reading of them from its arguments and environment. */
export interface LocalSystemOptions {
  /** HTTP port; 0 = any free port. Default 3000. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Keep DynamoDB Local's data in memory instead of under `<dataDir>/dynamodb`. */
  inMemory?: boolean;
  /** Where secrets (and DynamoDB's files unless in memory) live. Default `${DATA_DIR:-.data}`. */
  dataDir?: string;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  dynamoEndpoint?: string;
  /** Port of the DynamoDB Local started; default a free one. */
  dynamoPort?: number;
  /** Default `feedback-local`. */
  tableName?: string;
  /** Period of the scheduler timer in seconds; 0 disables it. Default 60. */
  tickSeconds?: number;
  /**
   * The environment the system reads (RULES, REPLY_SECRETS, PUBLIC_BASE_URL, WEBHOOK_SECRET,
   * AWS_REGION...); read, never written. Default process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Default `$AWS_REGION` or cn-north-1. */
  region?: string;
  /** Request and status lines; default console.log. Never given personal data. */
  log?: (line: string) => void;
  /** Test seam: handlers to use instead of functions/<fn>/handler.ts. */
  handlers?: Partial<Record<FunctionName, LambdaHandler>>;
}

const wholeNumber = (max: number, what: string) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d+$/, `expected ${what}`)), z.transform(Number)),
    z.number().check(z.lte(max, `expected ${what}`)),
  );

/** `npm start`'s own options (the variables the functions read are checked by shared/config/config.ts). */
const localEnvSchema = z.object({
  PORT: z.optional(wholeNumber(65535, 'a port 0-65535 (0: any free port)')),
  DYNAMODB_PORT: z.optional(wholeNumber(65535, 'a port 0-65535 (0: any free port)')),
  // setInterval's limit is 2^31-1 ms; a day is plenty.
  TICK_SECONDS: z.optional(wholeNumber(86_400, 'whole seconds 0-86400 (0: timer off)')),
  HOST: z.optional(
    z
      .string()
      .check(
        z.refine(
          (h) =>
            isIP(h) !== 0 ||
            /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
              h,
            ),
          'expected an IP address or a host name to listen on',
        ),
      ),
  ),
  TABLE_NAME: z.optional(tableNameSchema()),
  DYNAMODB_ENDPOINT: z.optional(httpUrl()),
  AWS_REGION: z.optional(awsRegion()),
});

/**
 * The options of `npm start` from its arguments and environment, each checked under its own name
 * (`PORT=99999` -> `Invalid configuration: PORT: ...`). Throws before anything is started.
 */
export function localOptionsFromEnv(env: NodeJS.ProcessEnv, args: string[]): LocalSystemOptions {
  const { values } = parseArgs({
    args,
    options: { 'in-memory': { type: 'boolean', default: false } },
    strict: true,
  });
  const trimmed = Object.fromEntries(Object.entries(blankAsUnset(env)).map(([k, v]) => [k, v.trim()]));
  const parsed = localEnvSchema.safeParse(trimmed);
  if (!parsed.success) throw new ConfigError(issueLines(parsed.error.issues));
  const e = parsed.data;
  return {
    inMemory: values['in-memory'] === true,
    dataDir: defaultDataDir(env),
    tableName: e.TABLE_NAME ?? 'feedback-local',
    ...(e.DYNAMODB_ENDPOINT !== undefined ? { dynamoEndpoint: e.DYNAMODB_ENDPOINT } : {}),
    ...(e.HOST !== undefined ? { host: e.HOST } : {}),
    ...(e.PORT !== undefined ? { port: e.PORT } : {}),
    ...(e.DYNAMODB_PORT !== undefined ? { dynamoPort: e.DYNAMODB_PORT } : {}),
    ...(e.TICK_SECONDS !== undefined ? { tickSeconds: e.TICK_SECONDS } : {}),
  };
}

/** The host part of a URL to `host`: a wildcard address becomes loopback, IPv6 gets brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}
