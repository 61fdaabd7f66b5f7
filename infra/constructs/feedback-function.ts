import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { handlerEntry, lambdaEsbuildOptions, REPO_ROOT } from '../esbuild-options.ts';

/**
 * Least-privilege table access: `read` = grantReadData, `readWrite` = grantReadWriteData,
 * `none` = no grant at all (static pages).
 */
export type TableAccess = 'none' | 'read' | 'readWrite';

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
  /** Asynchronous invocations (SNS, EventBridge): where events go after the last retry. */
  deadLetterQueue?: IQueue;
  /** Asynchronous invocations: retries after a failed attempt (0-2). */
  retryAttempts?: number;
  /** Asynchronous invocations: events older than this are dropped (to the DLQ). */
  maxEventAge?: Duration;
}

/**
 * Every Lambda function of the system, built the same way: Node.js 22 on arm64, X-Ray active,
 * ESM bundle made by the locally installed esbuild (no Docker), its own log group with a
 * retention, and exactly the table access it declares.
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

    this.fn = new NodejsFunction(this, 'Function', {
      description: `${SERVICE_NAME}: functions/${props.name}`,
      entry: handlerEntry(props.name),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
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
        // Bundle everything, the AWS SDK v3 included (see infra/esbuild-options.ts).
        bundleAwsSDK: true,
        externalModules: [...lambdaEsbuildOptions.external],
      },
    });

    if (props.tableAccess === 'read') props.table.grantReadData(this.fn);
    else if (props.tableAccess === 'readWrite') props.table.grantReadWriteData(this.fn);
  }
}
