// The webhook load generator of section 1, in a worker thread: the upstream system's side runs on
// its own event loop, as it would on its own machine, not inside the server it measures.
// Plain JavaScript so that the worker needs no TypeScript loader.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { endpoint, reqs, concurrency } = workerData;
const url = new URL(endpoint);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function post(r) {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        method: 'POST',
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: r.headers,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 202));
        res.on('error', () => resolve(false));
      },
    );
    req.on('error', () => resolve(false));
    req.end(r.body);
  });
}

const latencies = [];
let errors = 0;
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < reqs.length; i = next++) {
      const t0 = performance.now();
      const ok = await post(reqs[i]);
      latencies.push(performance.now() - t0);
      if (!ok) errors++;
    }
  }),
);
agent.destroy();
parentPort.postMessage({ latencies, errors, seconds: (performance.now() - started) / 1000 });
