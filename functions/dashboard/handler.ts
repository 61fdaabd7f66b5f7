import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Deps } from '#shared/app/deps';
import { type Config, configFromProcessEnv } from '#shared/config/config';
import { NotFoundError } from '#shared/domain/errors';
import { type HttpResult, header, httpFunction } from '#shared/http/http';
import { perContainer } from '#shared/runtime/container';
import { logger } from '#shared/runtime/log';
import {
  type Asset,
  dashboardAsset,
  dashboardAssetVersions,
  makeAsset,
  pickEncoding,
} from '#shared/web/dashboard/assets';
import { dashboardCsp, dashboardPage } from '#shared/web/dashboard/page';
import { workbenchCsp, workbenchPage } from '#shared/web/workbench/page';

/**
 * GET /dashboard: the managers' dashboard page (static; its data calls carry the manager's token).
 * GET /workbench: the callback workbench for agents and supervisors (static too; its own assets,
 * workbench.js and workbench.css, are served beside the dashboard's).
 * GET /dashboard/assets/{file}: its script, style sheet and ECharts, from our own origin, cached for a
 * year (their URLs carry a content hash), brotli- or gzip-compressed for clients that accept it.
 * ECharts ships brotli-compressed as a file beside the bundle, read on the first request for it (not
 * at init, not for the page): see shared/web/dashboard/assets.ts.
 */
const pageHeaders = (csp: string) => ({
  'content-type': 'text/html; charset=utf-8',
  // The shell is tiny and names the current asset versions: always revalidate it.
  'cache-control': 'no-cache',
  // connect-src: our origin, and the issuer's token endpoint when users sign in through one.
  'content-security-policy': csp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

/** What the dashboard needs of the dependencies: the rules it explains and how users sign in. */
type DashboardDeps = Pick<Deps, 'rules'> & { config: Pick<Config, 'signin'> };

const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** A 200 with the body compressed (base64, as API Gateway wants binary) when the client accepts it. */
function ok(headers: Record<string, string>, asset: Asset, event: APIGatewayProxyEventV2): HttpResult {
  const vary = { vary: 'accept-encoding' };
  const encoding = pickEncoding(header(event, 'accept-encoding'));
  const encoded = encoding ? asset.encoded(encoding) : undefined;
  if (encoding && encoded && encoded.length < asset.body.length) {
    return {
      statusCode: 200,
      headers: { ...headers, ...vary, 'content-encoding': encoding },
      body: encoded.toString('base64'),
      isBase64Encoded: true,
    };
  }
  return { statusCode: 200, headers: { ...headers, ...vary }, body: asset.body.toString('utf8') };
}

let page: Asset | undefined;
let workbench: Asset | undefined;

async function workbenchAsset(deps: DashboardDeps): Promise<Asset> {
  if (workbench) return workbench;
  const versions = await dashboardAssetVersions();
  workbench ??= makeAsset('workbench', 'text/html; charset=utf-8', {
    body: Buffer.from(
      workbenchPage({
        assetUrl: (file) => `dashboard/assets/${file}?v=${versions.get(file) ?? ''}`,
        signin: deps.config.signin,
      }),
      'utf8',
    ),
  });
  return workbench;
}

async function pageAsset(deps: DashboardDeps): Promise<Asset> {
  if (page) return page;
  const versions = await dashboardAssetVersions();
  page ??= makeAsset('dashboard', 'text/html; charset=utf-8', {
    body: Buffer.from(
      dashboardPage({
        assetUrl: (file) => `dashboard/assets/${file}?v=${versions.get(file) ?? ''}`,
        target: deps.rules.satisfaction.target,
        minSample: deps.rules.score.minSample,
        signin: deps.config.signin,
      }),
      'utf8',
    ),
  });
  return page;
}

export function dashboard(deps: DashboardDeps) {
  return httpFunction(async (event) => {
    if (event.routeKey === 'GET /dashboard') {
      return ok(pageHeaders(dashboardCsp(deps.config.signin)), await pageAsset(deps), event);
    }
    if (event.routeKey === 'GET /workbench') {
      return ok(pageHeaders(workbenchCsp(deps.config.signin)), await workbenchAsset(deps), event);
    }
    const file = event.pathParameters?.file ?? '';
    const asset = await dashboardAsset(file);
    if (!asset) throw new NotFoundError(`no dashboard asset ${file}`);
    const headers = {
      'content-type': asset.contentType,
      'cache-control': ASSET_CACHE,
      'x-content-type-options': 'nosniff',
      etag: `"${asset.version}"`,
    };
    return ok(headers, asset, event);
  });
}

/** The Lambda handler on the given dependencies (the local server and tests build their own). */
export const makeHandler = (deps: DashboardDeps) => middy(dashboard(deps)).use(injectLambdaContext(logger));

/** Only the rules and the sign-in: the dashboard reads no table and calls no AWS service (no AWS client is built). */
export const handler = perContainer(() => {
  const config = configFromProcessEnv();
  return { rules: config.rules, config: { signin: config.signin } };
}, makeHandler);
