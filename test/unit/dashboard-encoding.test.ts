import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeAsset, pickEncoding } from '#shared/web/dashboard/assets';

describe('pickEncoding (Accept-Encoding -> the coding of a dashboard answer)', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['BR', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['br;q=0.8, gzip;q=0.8', 'br'],
    ['gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['*;q=0, gzip', 'gzip'],
    ['gzip;q=0, *', 'br'],
    ['br;q=abc, gzip', 'gzip'],
    ['br;q=1.5, gzip', 'gzip'],
    [' gzip ; q=0.5 ', 'gzip'],
  ])('%j -> %s', (header, expected) => {
    expect(pickEncoding(header)).toBe(expected);
  });
});

describe('makeAsset', () => {
  const text = '看板'.repeat(2000);

  it('compresses on first use, once, and hashes the body for its URL', () => {
    const asset = makeAsset('a.js', 'text/javascript', { body: Buffer.from(text) });
    const gz = asset.encoded('gzip');
    expect(asset.encoded('gzip')).toBe(gz);
    expect(gunzipSync(gz).toString()).toBe(text);
    expect(brotliDecompressSync(asset.encoded('br')).toString()).toBe(text);
    expect(asset.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('serves bytes shipped brotli-compressed as they are, and the same body and version as uncompressed', () => {
    const plain = makeAsset('a.js', 'text/javascript', { body: Buffer.from(text) });
    const shipped = plain.encoded('br');
    const asset = makeAsset('a.js', 'text/javascript', { br: shipped });
    expect(asset.encoded('br')).toBe(shipped);
    expect(asset.body.toString()).toBe(text);
    expect(asset.version).toBe(plain.version);
    expect(gunzipSync(asset.encoded('gzip')).toString()).toBe(text);
  });

  it('refuses an empty asset', () => {
    expect(() => makeAsset('a.js', 'text/javascript', { body: Buffer.alloc(0) })).toThrow(/empty/);
  });
});
