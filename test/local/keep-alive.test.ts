import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalSystem, startLocalSystem } from '../../infra/local/server.ts';

/**
 * The HTTP keep-alive race behind `fetch failed` / `other side closed` under load: fetch (undici)
 * keeps an idle connection for the server's advertised `Keep-Alive: timeout` less 2 s, so the
 * server must advertise (and keep) a time well beyond any pause between a test's requests.
 */
let sys: LocalSystem;

beforeAll(async () => {
  sys = await startLocalSystem({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'keep-alive-')),
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: process.env.TABLE_NAME,
    tickSeconds: 0,
    log: () => {},
  });
});

afterAll(async () => {
  await sys?.stop();
});

/** The raw response headers of one keep-alive request (node:http shows every header as sent). */
function headersOf(path: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request(`${sys.url}${path}`, { headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keep-alive', () => {
  it('advertises idle connections kept for 65 s, far beyond the 5 s default the client raced', async () => {
    const headers = await headersOf('/local/clock');
    expect(headers.connection).toBe('keep-alive');
    expect(headers['keep-alive']).toBe('timeout=65');
  });
});
