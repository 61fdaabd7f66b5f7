import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in of Aliyun MNS's queue REST API (API version 2015-06-06) on 127.0.0.1, for the
 * official `@alicloud/mns` client: ReceiveMessage / BatchReceiveMessage
 * (`GET /queues/{q}/messages[?numOfMessages=n][&waitseconds=w]`), DeleteMessage
 * (`DELETE /queues/{q}/messages?ReceiptHandle=h`) and BatchDeleteMessage (`DELETE` with a
 * `<ReceiptHandles>` body). Every request must carry `x-mns-version: 2015-06-06` and a valid
 * `Authorization: MNS {AccessKeyId}:{base64 HMAC-SHA1}` over VERB, Content-MD5, Content-Type, Date,
 * the x-mns-* headers and the resource; answers are XML as MNS documents them. A received message
 * is invisible until `makeAllVisible()` (its visibility timeout passing) or deleted with the
 * receipt handle of its latest receipt; each receipt gets a new handle.
 *
 * With `temporary` (the queues Aliyun SMS hosts in its own account), only temporary credentials
 * are accepted: an AccessKeyId the Dybaseapi stand-in issued (aliyun-dybaseapi.ts), signed with
 * its secret, with its token in the `security-token` header (as `@alicloud/mns` sends it), before
 * it expires and for the queue it was issued for; anything else answers 403 AccessDenied.
 */
export interface MnsStandin {
  endpoint: string;
  accountId: string;
  /** Puts a message in a queue; an object is written as Aliyun SMS does: base64 of its JSON. */
  enqueue(queue: string, body: object | string): string;
  /** Messages still in a queue (visible or not). */
  depth(queue: string): number;
  /** Messages deleted from a queue so far, by id. */
  deleted(queue: string): string[];
  /** Every request, `METHOD path?query` (signature checked). */
  requests: string[];
  /** The visibility timeout of every received message passes now. */
  makeAllVisible(): void;
  /** While set, every request answers 503 ServiceUnavailable. */
  failing: boolean;
  /** Every request refused for its credentials: `Code: message`. */
  refusals: string[];
  close(): Promise<void>;
}

interface StoredMessage {
  id: string;
  body: string;
  enqueuedAt: number;
  dequeueCount: number;
  firstDequeueAt?: number;
  handle?: string;
  visible: boolean;
}

const XMLNS = 'http://mns.aliyuncs.com/doc/v1/';

export async function startMnsStandin(opts: {
  accessKeyId: string;
  accessKeySecret: string;
  accountId?: string;
  /** The queues that exist (any other answers QueueNotExist). */
  queues: string[];
  /** Accept only these temporary credentials (and not the keys above). */
  temporary?: {
    issued: ReadonlyMap<string, { secret: string; securityToken: string; expiresAt: number; queue: string }>;
    now(): number;
  };
}): Promise<MnsStandin> {
  const queues = new Map<string, StoredMessage[]>(opts.queues.map((q) => [q, []]));
  const deletedIds = new Map<string, string[]>();
  const requests: string[] = [];
  const refusals: string[] = [];
  const state = { failing: false };
  const queue = (name: string) => {
    const q = queues.get(name);
    if (!q) throw new Error(`no queue ${name} in the stand-in`);
    return q;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
      } catch (err) {
        error(res, 500, 'InternalError', String(err));
      }
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const resource = req.url ?? '/';
    const method = req.method ?? 'GET';
    if (req.headers['x-mns-version'] !== '2015-06-06') {
      return error(res, 400, 'InvalidArgument', 'x-mns-version must be 2015-06-06');
    }
    const auth = signatureProblem(req, method, resource, body);
    if (auth) {
      refusals.push(`${auth.code}: ${auth.message}`);
      return error(res, 403, auth.code, auth.message);
    }
    requests.push(`${method} ${resource}`);
    if (state.failing) return error(res, 503, 'ServiceUnavailable', 'Service is unavailable now.');

    const url = new URL(resource, 'http://mns.local');
    const m = /^\/queues\/([A-Za-z][A-Za-z0-9-]*)\/messages$/.exec(url.pathname);
    if (!m?.[1]) return error(res, 404, 'QueueNotExist', 'The queue name you provided is not exist.');
    const name = m[1];
    const q = queues.get(name);
    if (!q) return error(res, 404, 'QueueNotExist', 'The queue name you provided is not exist.');

    if (method === 'GET') {
      if (url.searchParams.get('peekonly')) return error(res, 400, 'InvalidArgument', 'peek not supported');
      const wait = url.searchParams.get('waitseconds');
      if (wait !== null && !/^(\d|[12]\d|30)$/.test(wait)) {
        return error(res, 400, 'InvalidArgument', 'waitseconds must be 0-30');
      }
      const nParam = url.searchParams.get('numOfMessages');
      const batch = nParam !== null;
      const n = batch ? Number(nParam) : 1;
      if (!Number.isInteger(n) || n < 1 || n > 16) {
        return error(res, 400, 'InvalidArgument', 'numOfMessages must be 1-16');
      }
      const now = Date.now();
      const picked = q.filter((x) => x.visible).slice(0, n);
      if (picked.length === 0) return error(res, 404, 'MessageNotExist', 'Message not exist.');
      for (const x of picked) {
        x.visible = false;
        x.dequeueCount += 1;
        x.firstDequeueAt ??= now;
        x.handle = randomBytes(12).toString('hex').toUpperCase();
      }
      const xml = picked.map((x) => messageXml(x, now)).join('');
      return send(
        res,
        200,
        batch
          ? `<Messages xmlns="${XMLNS}">${xml}</Messages>`
          : xml.replace('<Message>', `<Message xmlns="${XMLNS}">`),
      );
    }

    if (method === 'DELETE') {
      const single = url.searchParams.get('ReceiptHandle');
      if (single !== null) {
        if (!remove(name, q, single))
          return error(res, 404, 'ReceiptHandleError', 'The receipt handle you provided is not valid.');
        res.writeHead(204).end();
        return;
      }
      const handles = [...body.toString('utf8').matchAll(/<ReceiptHandle>([^<]*)<\/ReceiptHandle>/g)].map(
        (x) => x[1] ?? '',
      );
      if (handles.length === 0 || handles.length > 16) {
        return error(res, 400, 'InvalidArgument', 'expected 1-16 ReceiptHandle elements');
      }
      const failed = handles.filter((h) => !remove(name, q, h));
      if (failed.length === 0) {
        res.writeHead(204).end();
        return;
      }
      const errs = failed
        .map(
          (h) =>
            `<Error><ErrorCode>ReceiptHandleError</ErrorCode><ErrorMessage>The receipt handle you provided is not valid.</ErrorMessage><ReceiptHandle>${h}</ReceiptHandle></Error>`,
        )
        .join('');
      return send(res, 404, `<Errors xmlns="${XMLNS}">${errs}</Errors>`);
    }
    return error(res, 405, 'MethodNotAllowed', `${method} not supported here`);
  }

  function remove(name: string, q: StoredMessage[], handle: string): boolean {
    const i = q.findIndex((x) => !x.visible && x.handle === handle);
    if (i < 0) return false;
    const [x] = q.splice(i, 1);
    if (x) deletedIds.set(name, [...(deletedIds.get(name) ?? []), x.id]);
    return true;
  }

  function signatureProblem(req: IncomingMessage, method: string, resource: string, body: Buffer) {
    const header = req.headers.authorization ?? '';
    const m = /^MNS ([^:]+):(.+)$/.exec(header);
    if (!m) return { code: 'AccessDenied', message: 'Authorization must be MNS AccessKeyId:Signature' };
    const h = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : (v ?? '');
    };
    let secret = opts.accessKeySecret;
    if (opts.temporary) {
      const t = opts.temporary.issued.get(m[1] ?? '');
      if (!t) return { code: 'AccessDenied', message: 'not a temporary AccessKeyId issued for this queue' };
      if (!h('security-token'))
        return { code: 'AccessDenied', message: 'the security-token header is missing' };
      if (h('security-token') !== t.securityToken) {
        return { code: 'AccessDenied', message: 'the security token does not match the AccessKeyId' };
      }
      if (opts.temporary.now() >= t.expiresAt)
        return { code: 'AccessDenied', message: 'the security token expired' };
      const queue = /^\/queues\/([^/?]+)/.exec(resource)?.[1];
      if (queue !== t.queue) return { code: 'AccessDenied', message: `the token is not for queue ${queue}` };
      secret = t.secret;
    } else if (m[1] !== opts.accessKeyId) {
      return { code: 'InvalidAccessKeyId', message: 'unknown AccessKeyId' };
    }
    const md5 = h('content-md5');
    if (body.length > 0) {
      const expected = Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
      if (md5 !== expected) return { code: 'InvalidDigest', message: 'Content-MD5 does not match the body' };
    }
    const mnsHeaders = Object.keys(req.headers)
      .filter((k) => k.startsWith('x-mns-'))
      .sort()
      .map((k) => `${k}:${h(k)}\n`)
      .join('');
    const toSign = `${method}\n${md5}\n${h('content-type')}\n${h('date')}\n${mnsHeaders}${resource}`;
    const sig = createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');
    if (sig !== m[2])
      return { code: 'SignatureDoesNotMatch', message: 'The request signature does not match.' };
    return undefined;
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const accountId = opts.accountId ?? '1943695596114318';
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accountId,
    enqueue(name, body) {
      const text =
        typeof body === 'string' ? body : Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
      const id = randomBytes(8).toString('hex').toUpperCase();
      queue(name).push({ id, body: text, enqueuedAt: Date.now(), dequeueCount: 0, visible: true });
      return id;
    },
    depth: (name) => queue(name).length,
    deleted: (name) => deletedIds.get(name) ?? [],
    requests,
    refusals,
    makeAllVisible() {
      for (const q of queues.values()) for (const x of q) x.visible = true;
    },
    get failing() {
      return state.failing;
    },
    set failing(v: boolean) {
      state.failing = v;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function messageXml(x: StoredMessage, now: number): string {
  const md5 = createHash('md5').update(x.body, 'utf8').digest('hex').toUpperCase();
  return (
    `<Message><MessageId>${x.id}</MessageId><ReceiptHandle>${x.handle}</ReceiptHandle>` +
    `<MessageBodyMD5>${md5}</MessageBodyMD5><MessageBody>${escapeXml(x.body)}</MessageBody>` +
    `<EnqueueTime>${x.enqueuedAt}</EnqueueTime><NextVisibleTime>${now + 30_000}</NextVisibleTime>` +
    `<FirstDequeueTime>${x.firstDequeueAt}</FirstDequeueTime><DequeueCount>${x.dequeueCount}</DequeueCount>` +
    `<Priority>8</Priority></Message>`
  );
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function send(res: ServerResponse, status: number, xml: string) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, {
    'content-type': 'text/xml;charset=utf-8',
    'x-mns-request-id': randomBytes(12).toString('hex'),
  });
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string, message: string) {
  send(
    res,
    status,
    `<Error xmlns="${XMLNS}"><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
      `<RequestId>${randomBytes(12).toString('hex').toUpperCase()}</RequestId><HostId>http://127.0.0.1</HostId></Error>`,
  );
}
