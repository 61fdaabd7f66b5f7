import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { listensOn } from '../../infra/local/dynamodb-local.ts';
import { loadLocalSecrets } from '../../infra/local/secrets.ts';

/**
 * The local system's own DynamoDB Local: it dies with the server even on kill -9 of the server,
 * start-up never adopts a DynamoDB it did not start, and the data directory is private (0700).
 * Runs the server's real entry point (infra/local/server.ts, what `npm start` runs) as a child.
 */

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const childEnv = { ...process.env, PORT: '0', TICK_SECONDS: '0', ...env } as NodeJS.ProcessEnv;
  delete childEnv.DYNAMODB_ENDPOINT;
  delete childEnv.TABLE_NAME;
  delete childEnv.WEBHOOK_SECRET;
  if (!env.DYNAMODB_PORT) delete childEnv.DYNAMODB_PORT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/server.ts'], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  return { child, output: () => output };
}

/** Polls `done` every 100 ms until it holds or `ms` pass; returns whether it held. */
async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return done();
}

/** Live (not zombie) java processes running DynamoDB Local on `port`, from /proc. */
function dynamoJavaPids(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv[0]?.endsWith('java') || !argv.some((a) => a.includes('DynamoDBLocal'))) continue;
      if (argv[argv.indexOf('-port') + 1] !== String(port)) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && state !== 'X') pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('the data directory', () => {
  it('is created 0700; an existing directory that is not ours (DATA_DIR=/tmp) is left as it is, what we put in it is private', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'feedback-dd-')), 'data');
    const secrets = loadLocalSecrets({}, fresh);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    expect(statSync(secrets.file).mode & 0o777).toBe(0o600);

    const shared = mkdtempSync(join(tmpdir(), 'feedback-shared-'));
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'someone-elses.txt'), 'x');
    const inShared = loadLocalSecrets({}, shared);
    expect(statSync(shared).mode & 0o777).toBe(0o755);
    expect(statSync(inShared.file).mode & 0o777).toBe(0o600);
  });
});

describe.runIf(process.platform === 'linux')('npm start and its DynamoDB Local', () => {
  it('makes the data directory 0700 (tightening one an earlier run left open), and DynamoDB Local dies with a kill -9 of the server', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'feedback-dd-')), 'data');
    // an earlier run's data directory, too open (umask aside): ours, since it holds our files
    mkdirSync(join(dataDir, 'dynamodb'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'dynamodb'), 0o755);
    const { child, output } = startServer({ DATA_DIR: dataDir });
    expect(await waitFor(() => /Admin token\s+\S+/.test(output()) || child.exitCode !== null, 90_000)).toBe(
      true,
    );
    const port = Number(/DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output())?.[1]);
    expect(port, output()).toBeGreaterThan(0);
    expect(output()).toContain(join(dataDir, 'dynamodb'));

    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'dynamodb')).mode & 0o777).toBe(0o700);

    const javas = dynamoJavaPids(port);
    expect(javas).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await waitFor(() => dynamoJavaPids(port).length === 0, 30_000)).toBe(true);
  }, 150_000);

  it('refuses to start on a port something already answers on, naming it, and never claims the data is in .data/', async () => {
    // a DynamoDB Local that is not ours (the test run's own stands in for an orphan of an earlier run)
    const stranger = inject('dynamoEndpoint');
    const port = Number(new URL(stranger).port);
    const dataDir = mkdtempSync(join(tmpdir(), 'feedback-dd-'));
    const { child, output } = startServer({ DATA_DIR: dataDir, DYNAMODB_PORT: String(port) });
    expect(await waitFor(() => child.exitCode !== null || /Admin token/.test(output()), 90_000)).toBe(true);
    expect(output()).not.toContain('Admin token'); // it did not start on someone else's database
    await waitFor(() => child.exitCode !== null, 10_000);
    expect(child.exitCode, output()).toBe(1);
    expect(output()).toMatch(new RegExp(`port ${port} is already in use`));
    expect(output()).not.toContain(join(dataDir, 'dynamodb'));
    expect(output()).not.toMatch(/^\s*Data\s/m);
  }, 150_000);

  it('tells whether a process is the one listening on a port (how start-up checks it answered itself)', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(listensOn(process.pid, port)).toBe(true);
      expect(listensOn(process.pid, Number(new URL(inject('dynamoEndpoint')).port))).toBe(false);
      expect(listensOn(process.ppid, port)).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
