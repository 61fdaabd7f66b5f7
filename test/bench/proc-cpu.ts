import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { listensOn } from '../../infra/local/dynamodb-local.ts';

/**
 * Where the CPU goes during a bench run, from Linux's /proc: the whole machine's busy fraction
 * (/proc/stat) and one process's CPU time (/proc/<pid>/stat). The parsers, `busiestThread` and `dueLimit` are
 * pure (test/bench/proc-cpu.test.ts); the readers return undefined where /proc does not exist.
 */

/** Jiffies of all cores together since boot: busy (not idle, not waiting on I/O) and in all. */
export interface MachineTicks {
  busy: number;
  total: number;
}

/**
 * The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest and
 * guest_nice are already inside user and nice, so not added again). Idle = idle + iowait.
 */
export function parseProcStat(text: string): MachineTicks {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('/proc/stat: no aggregate cpu line');
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((v) => !Number.isFinite(v)))
    throw new Error(`/proc/stat: bad cpu line: ${line}`);
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** The machine's busy fraction between two readings (0 when no time passed). */
export function busyFraction(from: MachineTicks, to: MachineTicks): number {
  const total = to.total - from.total;
  return total > 0 ? (to.busy - from.busy) / total : 0;
}

/**
 * utime + stime (clock ticks) of one process from its /proc/<pid>/stat line. The command name
 * (field 2) is in parentheses and may hold spaces or parentheses itself: fields are counted from
 * the last ')'; utime and stime are fields 14 and 15.
 */
export function parsePidStat(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('/proc/<pid>/stat: no command name');
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3]
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('/proc/<pid>/stat: bad times');
  return utime + stime;
}

let ticksPerSecond: number | undefined;
/** Clock ticks per second (`getconf CLK_TCK`; 100 where it cannot be asked). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** The machine's ticks now, or undefined without /proc. */
export function readMachine(): MachineTicks | undefined {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** CPU time of process `pid` so far in ms, or undefined (gone, or no /proc). */
export function readProcessCpuMs(pid: number): number | undefined {
  try {
    return (parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/**
 * The DynamoDB Local JVM serving `port`: the java process whose command line names DynamoDBLocal
 * and that listens on that port (other DynamoDB Locals may run on the machine). Undefined if none.
 */
export function findDynamoJvm(port: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return undefined;
  }
  for (const p of pids) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes('java') && cmd.includes('DynamoDBLocal') && listensOn(Number(p), port) === true) {
      return Number(p);
    }
  }
  return undefined;
}

/** One thread of a process: its name (/proc/<pid>/task/<tid>/comm, at most 15 characters) and CPU ticks. */
export interface ThreadTicks {
  name: string;
  ticks: number;
  /** ns it has spent runnable but waiting for a core (/proc/<pid>/task/<tid>/schedstat), if readable. */
  waitNs?: number;
}

/**
 * The time a thread spent waiting for a core, in ns: the second field of its schedstat line
 * (`<ns on a cpu> <ns waiting on a runqueue> <timeslices>`).
 */
export function parseSchedstat(text: string): number {
  const wait = Number(text.trim().split(/\s+/)[1]);
  if (!Number.isFinite(wait)) throw new Error(`schedstat: bad line: ${text}`);
  return wait;
}

/** The busiest thread between two readings of a process's threads, and all its threads' ticks. */
export interface BusiestThread {
  tid: number;
  name: string;
  /** Ticks the busiest thread used between the readings. */
  ticks: number;
  /** ns it waited for a core between the readings (undefined if either reading lacks it). */
  waitNs?: number;
  /** Ticks all threads used (threads born in between counted from 0; threads gone in between lost). */
  allTicks: number;
}

/**
 * The thread that used the most CPU between two readings (`from`, `to`: tid -> name and ticks). A
 * thread only in `to` was born in between and counts from 0; one only in `from` ended in between and
 * its last ticks cannot be known (left out). Undefined when `to` holds no thread.
 */
export function busiestThread(
  from: ReadonlyMap<number, ThreadTicks>,
  to: ReadonlyMap<number, ThreadTicks>,
): BusiestThread | undefined {
  let best: BusiestThread | undefined;
  let all = 0;
  for (const [tid, t] of to) {
    const used = Math.max(0, t.ticks - (from.get(tid)?.ticks ?? 0));
    all += used;
    if (!best || used > best.ticks) {
      const before = from.has(tid) ? from.get(tid)?.waitNs : 0;
      best = {
        tid,
        name: t.name,
        ticks: used,
        allTicks: 0,
        ...(t.waitNs !== undefined && before !== undefined ? { waitNs: Math.max(0, t.waitNs - before) } : {}),
      };
    }
  }
  return best ? { ...best, allTicks: all } : undefined;
}

/** Every thread of process `pid` now (tid -> name and ticks), or undefined (gone, or no /proc). */
export function readThreads(pid: number): Map<number, ThreadTicks> | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`).filter((t) => /^\d+$/.test(t));
  } catch {
    return undefined;
  }
  const out = new Map<number, ThreadTicks>();
  for (const t of tids) {
    try {
      const ticks = parsePidStat(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8'));
      const name = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim();
      let waitNs: number | undefined;
      try {
        waitNs = parseSchedstat(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8'));
      } catch {} // a kernel without schedstats
      out.set(Number(t), { name, ticks, ...(waitNs !== undefined ? { waitNs } : {}) });
    } catch {} // the thread ended while being read
  }
  return out;
}

/** What held a run back, per worker count: the machine's busy fraction and our calls against the bare ceiling. */
export interface LimitRow {
  workers: number;
  /** The machine's busy fraction (0..1). */
  busy: number;
  /** Our DynamoDB calls/s at this count over DynamoDB Local's bare ceiling (calls/s); undefined if not measured. */
  ofCeiling?: number;
}

/** The measured limit: the fewest workers at which the machine or DynamoDB Local was at its limit. */
export interface DueLimit {
  workers: number;
  /** 'cpu': the machine >= `cpu` busy; 'dynamodb-local': our calls/s >= `ceiling` x the bare ceiling. */
  cause: 'cpu' | 'dynamodb-local' | 'both';
}

/**
 * The lower of the two limits: the fewest workers at which the machine was at least `cpu` busy or our
 * calls/s reached `ceiling` of DynamoDB Local's bare ceiling (rows in any order); both named when both
 * held at that count. Undefined when neither was reached.
 */
export function dueLimit(rows: readonly LimitRow[], cpu = 0.9, ceiling = 0.9): DueLimit | undefined {
  for (const r of [...rows].sort((a, b) => a.workers - b.workers)) {
    const machine = r.busy >= cpu;
    const dynamo = r.ofCeiling !== undefined && r.ofCeiling >= ceiling;
    if (machine || dynamo) {
      return { workers: r.workers, cause: machine && dynamo ? 'both' : machine ? 'cpu' : 'dynamodb-local' };
    }
  }
  return undefined;
}
