import { createHash } from 'node:crypto';

/**
 * What the dashboard's asset server (assets.ts) and the ECharts build script
 * (infra/build/dashboard-echarts.ts) agree on: how an asset's version is made, and the manifest the
 * build writes beside the compressed ECharts and the bundle inlines. Its own module so that the
 * build script does not import the Lambda code that serves the assets.
 */

/** First 16 hex digits of the SHA-256 of an asset's body: its version, in its URL and file name. */
export function contentVersion(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 16);
}

/** What infra/build/dashboard-echarts.ts writes beside the compressed ECharts, and the bundle inlines. */
export interface EchartsManifest {
  /** The compressed script's file name (echarts.<version>.js.br), beside the bundle's index.mjs. */
  file: string;
  /** `contentVersion` of the script (uncompressed). */
  version: string;
}
