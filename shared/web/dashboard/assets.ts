import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The dashboard's static files, served by functions/dashboard from our own origin (no CDN: CI has no
 * network and CDNs are unreliable for users in mainland China).
 *
 * Where the bytes come from:
 * - in a Lambda bundle, esbuild inlines each file as a string (`import(…, { with: { type: 'text' } })`,
 *   esbuild's text loader), so the bundle is one self-contained index.mjs, nothing to copy beside it;
 * - run from source (tsx for `npm start`, vitest), Node does not know text imports: the files are read
 *   from disk (ECharts from node_modules, ours from this directory).
 * Which one is decided once, by whether this module is a .ts source file.
 */
export interface Asset {
  file: string;
  contentType: string;
  body: Buffer;
  /** The body gzipped once, for clients that accept it. */
  gzip: Buffer;
  /** First 16 hex digits of the SHA-256 of the body: the `?v=` of its URL. */
  version: string;
}

interface AssetSource {
  contentType: string;
  /** Inlined by esbuild (a string literal specifier is what lets it). */
  bundled: () => Promise<{ default: string }>;
  /** Path on disk when running from source. */
  path: () => string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const sources: Record<string, AssetSource> = {
  'echarts.min.js': {
    contentType: JS,
    bundled: () => import('echarts/dist/echarts.min.js', { with: { type: 'text' } }),
    path: () => createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'),
  },
  'dashboard.js': {
    contentType: JS,
    bundled: () => import('./dashboard.js', { with: { type: 'text' } }),
    path: () => here('./dashboard.js'),
  },
  'dashboard.css': {
    contentType: CSS,
    bundled: () => import('./dashboard.css', { with: { type: 'text' } }),
    path: () => here('./dashboard.css'),
  },
};

export const assetFiles = Object.keys(sources);

/** True when running from the TypeScript sources (tsx, vitest) rather than from a bundle. */
export const fromSource = import.meta.url.endsWith('.ts');

async function load(file: string, src: AssetSource): Promise<Asset> {
  const text = fromSource ? await readFile(src.path(), 'utf8') : (await src.bundled()).default;
  if (typeof text !== 'string' || text.length === 0) throw new Error(`dashboard asset ${file} is empty`);
  const body = Buffer.from(text, 'utf8');
  return {
    file,
    contentType: src.contentType,
    body,
    gzip: gzipSync(body, { level: 9 }),
    version: createHash('sha256').update(body).digest('hex').slice(0, 16),
  };
}

let loaded: Promise<Map<string, Asset>> | undefined;

/** Every asset, loaded and compressed once per container. */
export function dashboardAssets(): Promise<Map<string, Asset>> {
  loaded ??= Promise.all(Object.entries(sources).map(([file, src]) => load(file, src))).then(
    (list) => new Map(list.map((a) => [a.file, a])),
    (err: unknown) => {
      loaded = undefined;
      throw err;
    },
  );
  return loaded;
}
