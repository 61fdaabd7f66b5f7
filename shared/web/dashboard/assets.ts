import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, brotliDecompressSync, constants, gzipSync } from 'node:zlib';
import { contentVersion, type EchartsManifest } from '#shared/web/dashboard/asset-version';

/**
 * The dashboard's static files, served by functions/dashboard from our own origin (no CDN: CI has no
 * network and CDNs are unreliable for users in mainland China).
 *
 * Where the bytes come from:
 * - in a Lambda bundle, our own small files are inlined by esbuild
 *   (`import(…, { with: { type: 'text' } })`). ECharts is not: it is a static file for browsers, not
 *   code the function runs. Our build of the parts the dashboard uses (infra/build/dashboard-echarts.ts,
 *   run before bundling) ships brotli-compressed as its own file in the deployment package, beside
 *   index.mjs (echarts.<version>.js.br, copied there after bundling), and is read from disk on the
 *   first request for it, then kept in memory: the function's init neither loads nor parses it. The
 *   bundle inlines only its manifest ({ file, version }), so the page names its version without
 *   reading it, and the file read is checked against that version;
 * - run from source (tsx for `npm start`, vitest), Node does not know those imports: our files are
 *   read from disk and ECharts is built in memory by the same function (once per process; the same
 *   script, with a faster brotli level).
 * Which one is decided once, by whether this module is a .ts source file.
 */
export type Encoding = 'br' | 'gzip';

export interface Asset {
  file: string;
  contentType: string;
  /** The bytes as served without a content coding. */
  body: Buffer;
  /** The body in a content coding: shipped pre-compressed, or compressed once on first use. */
  encoded: (encoding: Encoding) => Buffer;
  /** `contentVersion` of the body: the `?v=` of its URL. */
  version: string;
}

/** A file's bytes: as they are, or brotli-compressed (then `body` is made by decompressing once). */
type Source = { body: Buffer } | { br: Buffer };

interface AssetSource {
  contentType: string;
  /** From the bundle (a string literal specifier is what lets esbuild inline it). */
  bundled: () => Promise<Source>;
  /**
   * From the bundle, the version without the bytes, when the bundle knows it beforehand (ECharts:
   * its manifest). The bytes `bundled` reads must then have this version.
   */
  bundledVersion?: () => Promise<string>;
  /** Running from source. */
  fromDisk: () => Promise<Source>;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
/** A file beside this module: beside index.mjs in a bundle (esbuild keeps `import.meta.url`). */
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const text = async (p: Promise<{ default: string }>): Promise<Source> => ({
  body: Buffer.from((await p).default, 'utf8'),
});

/** Development only: the builder lives in infra/ and needs esbuild (a dev dependency). */
async function buildEchartsFromSource(): Promise<Source> {
  // A computed specifier: esbuild must not follow it into the Lambda bundle (never taken there).
  const builder = new URL('../../../infra/build/dashboard-echarts.ts', import.meta.url).href;
  const { buildDashboardEcharts } = (await import(
    builder
  )) as typeof import('../../../infra/build/dashboard-echarts.ts');
  return { br: (await buildDashboardEcharts({ fast: true })).br };
}

/** In a bundle: the manifest of the ECharts file beside it (inlined: a few dozen bytes). */
const echartsManifest = async (): Promise<EchartsManifest> =>
  (await import('./generated/echarts.json', { with: { type: 'json' } })).default;

const sources = new Map<string, AssetSource>([
  [
    'echarts.min.js',
    {
      contentType: JS,
      bundled: async () => ({ br: await readFile(here(`./${(await echartsManifest()).file}`)) }),
      bundledVersion: async () => (await echartsManifest()).version,
      fromDisk: buildEchartsFromSource,
    },
  ],
  [
    'dashboard.js',
    {
      contentType: JS,
      bundled: () => text(import('./dashboard.js', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('./dashboard.js')) }),
    },
  ],
  [
    // The sign-in every page of ours shares (shared/web/signin.js).
    'signin.js',
    {
      contentType: JS,
      bundled: () => text(import('../signin.js', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('../signin.js')) }),
    },
  ],
  [
    // What every signed-in page shares: helpers (global `Pages`) and the base style sheet.
    'pages.js',
    {
      contentType: JS,
      bundled: () => text(import('../pages.js', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('../pages.js')) }),
    },
  ],
  [
    'base.css',
    {
      contentType: CSS,
      bundled: () => text(import('../base.css', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('../base.css')) }),
    },
  ],
  [
    'dashboard.css',
    {
      contentType: CSS,
      bundled: () => text(import('./dashboard.css', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('./dashboard.css')) }),
    },
  ],
  // The callback workbench (GET /workbench: shared/web/workbench/).
  [
    'workbench.js',
    {
      contentType: JS,
      bundled: () => text(import('../workbench/workbench.js', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('../workbench/workbench.js')) }),
    },
  ],
  [
    'workbench.css',
    {
      contentType: CSS,
      bundled: () => text(import('../workbench/workbench.css', { with: { type: 'text' } })),
      fromDisk: async () => ({ body: await readFile(here('../workbench/workbench.css')) }),
    },
  ],
]);

/** True when running from the TypeScript sources (tsx, vitest) rather than from a bundle. */
export const fromSource = import.meta.url.endsWith('.ts');

const compress: Record<Encoding, (body: Buffer) => Buffer> = {
  br: (body) =>
    brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => gzipSync(body, { level: 9 }),
};

/** An asset of these bytes; `br` when they were shipped compressed. */
export function makeAsset(file: string, contentType: string, source: Source): Asset {
  const body = 'body' in source ? source.body : brotliDecompressSync(source.br);
  if (body.length === 0) throw new Error(`dashboard asset ${file} is empty`);
  const encodings = new Map<Encoding, Buffer>('br' in source ? [['br', source.br]] : []);
  return {
    file,
    contentType,
    body,
    encoded: (encoding) => {
      let bytes = encodings.get(encoding);
      if (!bytes) {
        bytes = compress[encoding](body);
        encodings.set(encoding, bytes);
      }
      return bytes;
    },
    version: contentVersion(body),
  };
}

async function load(file: string, src: AssetSource): Promise<Asset> {
  const asset = makeAsset(file, src.contentType, await (fromSource ? src.fromDisk() : src.bundled()));
  const expected = !fromSource && src.bundledVersion ? await src.bundledVersion() : undefined;
  if (expected !== undefined && asset.version !== expected) {
    // A file from another build beside this bundle: fail rather than serve it under this URL.
    throw new Error(`dashboard asset ${file}: version ${asset.version} read, the bundle names ${expected}`);
  }
  return asset;
}

const loaded = new Map<string, Promise<Asset>>();

/**
 * One asset, read (or built) on the first request for it and kept for the container's life;
 * undefined for a file that is not one of ours. A failed load is retried on the next request.
 */
export function dashboardAsset(file: string): Promise<Asset> | undefined {
  const src = sources.get(file);
  if (!src) return undefined;
  let asset = loaded.get(file);
  if (!asset) {
    const p = load(file, src);
    loaded.set(file, p);
    p.catch(() => {
      if (loaded.get(file) === p) loaded.delete(file);
    });
    asset = p;
  }
  return asset;
}

/**
 * Every asset's version, for the page's URLs: from the bundle's manifest where it has one (ECharts:
 * its file is not read for this), otherwise from the asset itself (loaded once, as above).
 */
export async function dashboardAssetVersions(): Promise<Map<string, string>> {
  const versions = await Promise.all(
    [...sources].map(async ([file, src]): Promise<[string, string]> => {
      if (!fromSource && src.bundledVersion) return [file, await src.bundledVersion()];
      const asset = await dashboardAsset(file);
      if (!asset) throw new Error(`dashboard asset ${file}: no source`);
      return [file, asset.version];
    }),
  );
  return new Map(versions);
}

/**
 * The content coding to answer with, from an Accept-Encoding header: br or gzip, whichever the client
 * weighs more (br on a tie), never one it refuses (`;q=0`, or `*;q=0` without naming it);
 * undefined for the body as it is.
 */
export function pickEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*(.*?)\s*$/.exec(p);
      // A weight that is not a number in 0..1 counts as a refusal.
      if (m) q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(m[1] ?? '') ? Number(m[1]) : 0;
    }
    weights.set(coding.trim(), q);
  }
  const star = weights.get('*') ?? 0;
  const weight = (e: Encoding) => weights.get(e) ?? star;
  const best = (['br', 'gzip'] as const).filter((e) => weight(e) > 0).sort((a, b) => weight(b) - weight(a));
  return best[0];
}
