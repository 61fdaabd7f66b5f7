import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Keeps in a source map (v3, one file, as esbuild writes it) only the mappings into our own sources:
 * every segment whose source is under node_modules is dropped, and the sources and names no segment
 * uses any more with it. With NODE_OPTIONS=--enable-source-maps, Node reads and parses the whole map
 * when it loads the bundle, before the first request: a map of every bundled package (the AWS SDK,
 * zod, Powertools, ...) is most of that cost, while stack traces are read for our frames (a frame in a
 * package keeps its line and column in index.mjs). Run after esbuild (infra/build/bundle.ts, the CDK
 * bundling's afterBundling hook): `tsx infra/build/trim-sourcemap.ts dist/<name>/index.mjs.map`.
 */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

function decodeSegment(s: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of s) {
    const d = B64_INDEX.get(c);
    if (d === undefined) throw new Error(`source map: bad VLQ character ${c}`);
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function encode(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let d = v & 31;
    v >>>= 5;
    if (v > 0) d |= 32;
    out += B64[d];
  } while (v > 0);
  return out;
}

export interface SourceMapV3 {
  version: 3;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: (string | null)[];
  [k: string]: unknown;
}

/** The map with only the segments whose source `keep` accepts (default: not under node_modules). */
export function trimSourceMap(
  map: SourceMapV3,
  keep: (source: string) => boolean = (s) => !s.includes('node_modules/'),
): SourceMapV3 {
  const kept = map.sources.map(keep);
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const names: string[] = [];
  const contents: (string | null)[] = [];
  // absolute state while decoding, and the previous values written while encoding
  let src = 0;
  let line = 0;
  let col = 0;
  let name = 0;
  let outSrc = 0;
  let outLine = 0;
  let outCol = 0;
  let outName = 0;
  const lines = map.mappings.split(';').map((group) => {
    let genCol = 0;
    let outGenCol = 0;
    let mapped = false;
    const segs: string[] = [];
    if (group === '') return '';
    // Code of a package keeps an unmapped segment (generated column only) where its run starts, so
    // that a frame there is not taken for the nearest line of ours before it.
    const unmapped = () => {
      if (mapped || segs.length === 0) {
        segs.push(encode(genCol - outGenCol));
        outGenCol = genCol;
        mapped = false;
      }
    };
    for (const seg of group.split(',')) {
      const f = decodeSegment(seg);
      genCol += f[0] ?? 0;
      if (f.length < 4) {
        unmapped();
        continue;
      }
      src += f[1] ?? 0;
      line += f[2] ?? 0;
      col += f[3] ?? 0;
      if (f.length >= 5) name += f[4] ?? 0;
      if (!kept[src]) {
        unmapped();
        continue;
      }
      mapped = true;
      let s = sourceIndex.get(src);
      if (s === undefined) {
        s = sources.length;
        sourceIndex.set(src, s);
        sources.push(map.sources[src] as string);
        contents.push(map.sourcesContent?.[src] ?? null);
      }
      let part =
        encode(genCol - outGenCol) + encode(s - outSrc) + encode(line - outLine) + encode(col - outCol);
      outGenCol = genCol;
      outSrc = s;
      outLine = line;
      outCol = col;
      if (f.length >= 5) {
        let n = nameIndex.get(name);
        if (n === undefined) {
          n = names.length;
          nameIndex.set(name, n);
          names.push(map.names[name] as string);
        }
        part += encode(n - outName);
        outName = n;
      }
      segs.push(part);
    }
    return segs.join(',');
  });
  const out: SourceMapV3 = { ...map, sources, names, mappings: lines.join(';') };
  if (map.sourcesContent) out.sourcesContent = contents;
  else delete out.sourcesContent;
  return out;
}

/** Trims the map file in place; returns its size before and after. */
export function trimSourceMapFile(file: string): { before: number; after: number } {
  const text = readFileSync(file, 'utf8');
  const trimmed = JSON.stringify(trimSourceMap(JSON.parse(text) as SourceMapV3));
  writeFileSync(file, trimmed);
  return { before: Buffer.byteLength(text), after: Buffer.byteLength(trimmed) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const file of process.argv.slice(2)) trimSourceMapFile(file);
}
