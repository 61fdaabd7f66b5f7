import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from './fixtures.ts';

/** `npm start -- --in-memory` as a child process, as a user runs it, and a small HTTP client for it. */
export interface RunningSystem {
  url: string;
  secret: string;
  adminToken: string;
  /** The SMS providers' callback path token it printed. */
  smsCallbackToken: string;
  /** The DynamoDB it runs on and its table (for `npm run verify`). */
  dynamoEndpoint: string;
  tableName: string;
  output: () => string;
  env: NodeJS.ProcessEnv;
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: any }>;
  webhook: (path: string, body: unknown) => Promise<{ status: number; body: any }>;
  stop: () => Promise<void>;
}

export async function startNpm(extraEnv: Record<string, string> = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'feedback-e2e-'));
  const env = {
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    TICK_SECONDS: '0',
    ...extraEnv,
  } as NodeJS.ProcessEnv;
  delete env.DYNAMODB_ENDPOINT;
  delete env.TABLE_NAME;
  delete env.WEBHOOK_SECRET;
  const child: ChildProcess = spawn('npm', ['start', '--', '--in-memory'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !/Admin token\s+\S+/.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const url = /API\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';
  const secret = /Webhook secret\s+(whsec_\S+)/.exec(output)?.[1] ?? '';
  const adminToken = /Admin token\s+(\S+)/.exec(output)?.[1] ?? '';
  const smsCallbackToken = /SMS callbacks\s+token\s+(\S+)/.exec(output)?.[1] ?? '';
  const [, dynamoEndpoint = '', tableName = ''] =
    /DynamoDB\s+(http:\/\/\S+) \(table ([^)\s]+)\)/.exec(output) ?? [];
  if (!url || !secret || !adminToken)
    throw new Error(`npm start did not print its URL, secret and token:\n${output}`);

  const call: RunningSystem['call'] = async (method, path, body, headers = {}) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(text ? { body: text } : {}),
    });
    const raw = await res.text();
    return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
  };
  return {
    url,
    secret,
    adminToken,
    smsCallbackToken,
    dynamoEndpoint,
    tableName,
    env,
    output: () => output,
    call,
    webhook: async (path, body) => {
      const text = JSON.stringify(body);
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(secret, text) },
        body: text,
      });
      return { status: res.status, body: await res.json() };
    },
    stop: async () => {
      if (child.pid && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
