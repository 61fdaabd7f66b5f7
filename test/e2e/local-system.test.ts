import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign, ticketBody } from '../helpers/fixtures.ts';

/**
 * The whole loop as a user drives it: `npm start` (its own DynamoDB Local, in memory), then a
 * signed webhook, the clock, a tick, the outbox, an inbound reply and the report, over HTTP only.
 */
let server: ChildProcess;
let url = '';
let secret = '';
let adminToken = '';
let output = '';
const dataDir = mkdtempSync(join(tmpdir(), 'feedback-e2e-'));
const env = { ...process.env, PORT: '0', DATA_DIR: dataDir, TICK_SECONDS: '0' } as NodeJS.ProcessEnv;
delete env.DYNAMODB_ENDPOINT;
delete env.TABLE_NAME;
delete env.WEBHOOK_SECRET;

beforeAll(async () => {
  server = spawn('npm', ['start', '--', '--in-memory'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  server.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  server.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !/Admin token\s+\S+/.test(output)) {
    if (server.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  url = /API\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';
  secret = /Webhook secret\s+(whsec_\S+)/.exec(output)?.[1] ?? '';
  adminToken = /Admin token\s+(\S+)/.exec(output)?.[1] ?? '';
  if (!url || !secret || !adminToken)
    throw new Error(`npm start did not print its URL, secret and token:\n${output}`);
}, 120_000);

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    process.kill(-server.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(text ? { body: text } : {}),
  });
  const raw = await res.text();
  return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
}

describe('npm start, driven over HTTP', () => {
  it('prints the API URL, webhook secret, admin token and where the data lives', () => {
    expect(output).toMatch(/Data\s+in memory/);
    expect(adminToken.split('.')).toHaveLength(3);
  });

  it('turns a completed ticket into a survey SMS, a reply and a score', async () => {
    await call('POST', '/local/clock', { now: '2026-11-20T02:00:00Z' }); // 10:00 Beijing

    const ticket = ticketBody({
      ticketId: 'E2E-1',
      completedAt: '2026-11-20T09:55:00+08:00',
      engineer: { id: 'E-e2e', name: '陈师傅', team: 'T1', region: 'R1' },
      customer: { phone: '+8613700001111', name: '刘女士' },
    });
    const text = JSON.stringify(ticket);
    const accepted = await fetch(`${url}/v1/tickets/completed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(secret, text) },
      body: text,
    });
    expect(accepted.status).toBe(202);
    const { surveyId, status } = (await accepted.json()) as { surveyId: string; status: string };
    expect(status).toBe('scheduled');

    // not due yet: nothing sent
    await call('POST', '/local/tick');
    expect((await call('GET', '/local/sms/outbox?phone=13700001111')).body).toEqual([]);

    await call('POST', '/local/clock', { now: '2026-11-20T02:26:00Z' });
    await call('POST', '/local/tick');
    const outbox = (await call('GET', '/local/sms/outbox?phone=13700001111')).body as Array<{
      messageId: string;
      to: string;
      body: string;
      segments: number;
    }>;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: '+8613700001111', segments: 1 });
    expect(outbox[0]?.body).toContain('陈师傅');

    const reply = {
      originationNumber: '+8613700001111',
      destinationNumber: '+8610690000',
      messageKeyword: 'KEYWORD_000000000000',
      messageBody: '2 还行',
      inboundMessageId: 'e2e-inbound-1',
      previousPublishedMessageId: outbox[0]?.messageId,
    };
    expect((await call('POST', '/local/sms/inbound', reply)).status).toBe(200);
    expect((await call('POST', '/local/sms/inbound', reply)).status).toBe(200); // duplicate delivery
    const after = (await call('GET', '/local/sms/outbox?phone=13700001111')).body as Array<{ body: string }>;
    expect(after).toHaveLength(2);
    expect(after[1]?.body).toMatch(/感谢/);

    expect((await call('GET', '/v1/reports/engineers?period=2026-11')).status).toBe(401);
    const report = await call('GET', '/v1/reports/engineers?period=2026-W47', undefined, {
      authorization: `Bearer ${adminToken}`,
    });
    expect(report.status).toBe(200);
    expect(report.body.period).toEqual({
      id: '2026-W47',
      from: '2026-11-16T00:00:00+08:00',
      to: '2026-11-23T00:00:00+08:00',
    });
    expect(report.body.engineers).toEqual([
      expect.objectContaining({
        engineerId: 'E-e2e',
        name: '陈师傅',
        team: 'T1',
        region: 'R1',
        completed: 1,
        surveyed: 1,
        responses: 1,
        satisfied: 0,
        basicallySatisfied: 1,
        dissatisfied: 0,
        satisfactionRate: 0,
      }),
    ]);
    expect(surveyId).toBeTruthy();
  });

  it('mints tokens with npm run token that the server accepts, scoped by role', async () => {
    const engineerToken = execFileSync(
      'npm',
      ['run', '--silent', 'token', '--', '--role', 'engineer', '--engineer', 'E-other'],
      {
        env,
        encoding: 'utf8',
      },
    ).trim();
    const res = await call('GET', '/v1/reports/engineers?period=2026-11', undefined, {
      authorization: `Bearer ${engineerToken}`,
    });
    expect(res.status).toBe(200);
    expect(res.body.engineers).toEqual([]);
  });
});
