import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { table as tableDef } from '#shared/store/table';
import {
  besideBundleCommands,
  handlerEntry,
  lambdaEsbuildOptions,
  REPO_ROOT,
  trimSourceMapCommand,
} from '../build/esbuild-options.ts';
import type { TableAccess } from '../functions.ts';

/**
 * Reads: GetItem, BatchGetItem, Query (TransactGetItems is authorized per GetItem). No Scan (never
 * on a request path), no stream or DescribeTable actions.
 */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** Writes, also inside TransactWriteItems (authorized per item: Put/Update/Delete/ConditionCheck). */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export const SERVICE_NAME = 'telecom-feedback';

export interface FeedbackFunctionProps {
  /** Directory under functions/: the entry is functions/<name>/handler.ts, exporting `handler`. */
  name: string;
  table: ITable;
  tableAccess: TableAccess;
  /** @default 512 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  /** Added to TABLE_NAME, POWERTOOLS_SERVICE_NAME and NODE_OPTIONS. */
  environment?: Record<string, string>;
  /**
   * Retention of the function's log group. Six months by default: the PRC Cybersecurity Law
   * (art. 21) asks operators to keep network logs for no less than six months.
   */
  logRetention?: RetentionDays;
  /**
   * Sends SMS straight to phone numbers: sns:Publish on "*" (a phone-number publish has no ARN).
   * @default false
   */
  publishesSms?: boolean;
  /**
   * X-Ray active tracing. Off in the AWS China regions, where Lambda has no X-Ray integration.
   * @default true
   */
  tracing?: boolean;
  /**
   * Triggered by the table's DynamoDB stream (the event source, added by the caller, grants
   * dynamodb:ListStreams on "*", which has no resource-level permission).
   * @default false
   */
  readsTableStream?: boolean;
  /** Asynchronous invocations (SNS, EventBridge): where events go after the last retry. */
  deadLetterQueue?: IQueue;
  /** Asynchronous invocations: retries after a failed attempt (0-2). */
  retryAttempts?: number;
  /** Asynchronous invocations: events older than this are dropped (to the DLQ). */
  maxEventAge?: Duration;
  /** Shell commands run in the repository root before esbuild bundles the function. */
  beforeBundling?: readonly string[];
  /**
   * Files (relative to the repository root, shell globs allowed) copied beside index.mjs in the
   * function's asset after bundling: read by the function at run time, not inlined.
   */
  besideBundle?: readonly string[];
}

/**
 * Every Lambda function of the system, built the same way: Node.js 22 on arm64, X-Ray active,
 * ESM bundle made by the locally installed esbuild (no Docker), its own log group with a
 * retention, its own role (no managed policy: logs to its own log group only) and exactly the
 * table access it declares.
 */
export class FeedbackFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: FeedbackFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.SIX_MONTHS,
      // Logs are evidence (audits, complaints): they outlive the stack and expire by retention.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Our own role instead of the default one with the AWSLambdaBasicExecutionRole managed policy
    // (logs:CreateLogGroup/CreateLogStream/PutLogEvents on every log group): this one may only
    // write to the function's own log group, which exists before the function.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${SERVICE_NAME}: functions/${props.name}`,
    });
    this.logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      role,
      description: `${SERVICE_NAME}: functions/${props.name}`,
      entry: handlerEntry(props.name),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: (props.tracing ?? true) ? Tracing.ACTIVE : Tracing.DISABLED,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: props.table.tableName,
        ...props.environment,
      },
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      bundling: {
        // Local esbuild from node_modules (run with `npx --no-install esbuild`): works offline.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: lambdaEsbuildOptions.target,
        minify: lambdaEsbuildOptions.minify,
        sourceMap: lambdaEsbuildOptions.sourcemap,
        sourcesContent: lambdaEsbuildOptions.sourcesContent,
        mainFields: [...lambdaEsbuildOptions.mainFields],
        banner: lambdaEsbuildOptions.banner.js,
        // No CDK default externals: exactly ours (none: the AWS SDK is bundled; see
        // infra/build/esbuild-options.ts), so the bundle deployed is the bundle `npm run build` measures.
        bundleAwsSDK: true,
        externalModules: [...lambdaEsbuildOptions.external],
        // Local bundling runs each command with bash in projectRoot (the repository root). After
        // esbuild: the source map trimmed to our sources, then the files that ship beside the bundle.
        commandHooks: {
          beforeBundling: () => [...(props.beforeBundling ?? [])],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [
            trimSourceMapCommand(outputDir),
            ...besideBundleCommands(props.besideBundle ?? [], outputDir),
          ],
        },
      },
    });

    if (props.tableAccess !== 'none') {
      const actions: string[] = [...TABLE_READ_ACTIONS];
      if (props.tableAccess === 'readWrite') actions.push(...TABLE_WRITE_ACTIONS);
      this.fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'Table',
          actions,
          // The table and each index by name: no `index/*`.
          resources: [
            props.table.tableArn,
            ...tableDef.indexes.map((ix) => `${props.table.tableArn}/index/${ix.indexName}`),
          ],
        }),
      );
    }

    if (props.publishesSms) {
      // SNS Publish to a phone number (PhoneNumber=...) has no resource to scope to: IAM evaluates
      // it against "*", and SNS has no condition key for phone numbers. The grant is therefore
      // sns:Publish on "*"; no topic grants come with it.
      this.fn.addToRolePolicy(
        new PolicyStatement({ sid: 'PublishSmsToPhoneNumbers', actions: ['sns:Publish'], resources: ['*'] }),
      );
    }

    // cdk-nag (AwsSolutions) findings acknowledged for every function, each with its reason.
    // The statements on "*" are exactly these (the infra tests compare each policy with a table).
    const onStar = [
      ...((props.tracing ?? true)
        ? [
            'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level ' +
              'permissions: IAM accepts only "*" for them.',
          ]
        : []),
      ...(props.publishesSms
        ? [
            'sns:Publish to a phone number (SMS) has no resource ARN: IAM evaluates it against "*" ' +
              'and SNS has no condition key for phone numbers.',
          ]
        : []),
      ...(props.readsTableStream
        ? [
            'dynamodb:ListStreams (the DynamoDB Streams event source) has no resource-level ' +
              'permissions: IAM accepts only "*" for it; reading the records is scoped to the table\'s stream.',
          ]
        : []),
    ];
    if (onStar.length > 0) {
      Validations.of(this).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: onStar.join(' ') });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 (LTS) is pinned on purpose: the bundles are built for node22 (esbuild target in ' +
        'infra/build/esbuild-options.ts) and the infra tests assert nodejs22.x; a newer runtime is a ' +
        'deliberate change of both together, never a silent one.',
    });
  }
}
