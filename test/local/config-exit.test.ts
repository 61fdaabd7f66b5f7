import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '../..');
const endpoint = inject('dynamoEndpoint');

/**
 * `npm start` (infra/local/server.ts) with one bad value: it must exit non-zero, before listening,
 * with a message naming the value. A hung process is killed after the bounded wait and fails.
 */
function startWith(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn('npx', ['tsx', 'infra/local/server.ts', '--in-memory'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: `cli-config-${Date.now()}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'local-config-')),
      TICK_SECONDS: '0',
      WEBHOOK_SECRET: '',
      REPLY_SECRETS: '',
      RULES: '',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('npm start with a bad configuration (issue 9.8)', () => {
  it('exits non-zero naming PORT (not PUBLIC_BASE_URL) for PORT=99999', async () => {
    const { code, output } = await startWith({ PORT: '99999' });
    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output).toMatch(/Invalid configuration: PORT: /);
    expect(output).not.toMatch(/PUBLIC_BASE_URL|API\s+http/);
  }, 90_000);

  it("exits non-zero naming WEBHOOK_SECRET for WEBHOOK_SECRET='not a secret!'", async () => {
    const { code, output } = await startWith({ WEBHOOK_SECRET: 'not a secret!' });
    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output).toMatch(/Invalid configuration: WEBHOOK_SECRET(\.0)?: /);
    expect(output).not.toMatch(/API\s+http/);
  }, 90_000);

  it('exits non-zero naming RULES.timeZone for an unknown time zone', async () => {
    const { code, output } = await startWith({ RULES: '{"timeZone":"Mars/Base"}' });
    expect(code, output).not.toBe(0);
    expect(code, output).not.toBeNull();
    expect(output).toMatch(/Invalid configuration: RULES\.timeZone: /);
    expect(output).not.toMatch(/API\s+http/);
  }, 90_000);
});
