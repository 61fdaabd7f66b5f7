import { gzipSync } from 'node:zlib';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config } from '#shared/config';
import { NotFoundError } from '#shared/errors';
import { type HttpResult, header, httpFunction } from '#shared/http';
import { logger } from '#shared/log';
import { type Asset, dashboardAssets } from '#shared/web/dashboard/assets';
import { DASHBOARD_CSP, dashboardPage } from '#shared/web/dashboard/page';

/**
 * GET /dashboard: the managers' dashboard page (static; its data calls carry the manager's token).
 * GET /dashboard/assets/{file}: its script, style sheet and ECharts, from our own origin, cached for a
 * year (their URLs carry a content hash), gzipped for clients that accept it.
 */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The shell is tiny and names the current asset versions: always revalidate it.
  'cache-control': 'no-cache',
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const ASSET_CACHE = 'public, max-age=31536000, immutable';

function acceptsGzip(event: APIGatewayProxyEventV2): boolean {
  return /\bgzip\b/i.test(header(event, 'accept-encoding') ?? '');
}

/** A 200 with the body gzipped (base64, as API Gateway wants binary) when the client accepts it. */
function ok(
  headers: Record<string, string>,
  raw: Buffer,
  gzip: Buffer,
  event: APIGatewayProxyEventV2,
): HttpResult {
  const vary = { vary: 'accept-encoding' };
  if (acceptsGzip(event) && gzip.length < raw.length) {
    return {
      statusCode: 200,
      headers: { ...headers, ...vary, 'content-encoding': 'gzip' },
      body: gzip.toString('base64'),
      isBase64Encoded: true,
    };
  }
  return { statusCode: 200, headers: { ...headers, ...vary }, body: raw.toString('utf8') };
}

let page: { raw: Buffer; gzip: Buffer } | undefined;

function pageBytes(assets: Map<string, Asset>) {
  if (!page) {
    const html = dashboardPage({
      assetUrl: (file) => `dashboard/assets/${file}?v=${assets.get(file)?.version ?? ''}`,
      target: config.rules.satisfaction.target,
      minSample: config.rules.score.minSample,
    });
    const raw = Buffer.from(html, 'utf8');
    page = { raw, gzip: gzipSync(raw) };
  }
  return page;
}

export const dashboard = httpFunction(async (event) => {
  const assets = await dashboardAssets();
  if (event.routeKey === 'GET /dashboard') {
    const p = pageBytes(assets);
    return ok(PAGE_HEADERS, p.raw, p.gzip, event);
  }
  const file = event.pathParameters?.file ?? '';
  const asset = assets.get(file);
  if (!asset) throw new NotFoundError(`no dashboard asset ${file}`);
  const headers = {
    'content-type': asset.contentType,
    'cache-control': ASSET_CACHE,
    'x-content-type-options': 'nosniff',
    etag: `"${asset.version}"`,
  };
  return ok(headers, asset.body, asset.gzip, event);
});

export const handler = middy(dashboard).use(injectLambdaContext(logger));
