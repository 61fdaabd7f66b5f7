import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTencentPullStandin, type TencentPullStandin } from './tencent-pull.ts';
import {
  start as startTencentSms,
  TENCENT_TEST_APP_ID,
  TENCENT_TEST_KEYS,
  type TencentSmsStandIn,
} from './tencent-sms.ts';

/**
 * Tencent Cloud SMS's API on one endpoint, as the real one (sms.tencentcloudapi.com) serves every
 * action: the system sends (SendSms) and pulls (PullSmsReplyStatus, PullSmsSendStatus) through the
 * same TENCENT_SMS_ENDPOINT. A front on 127.0.0.1 hands each request, bytes and headers unchanged
 * (so the TC3 signature still verifies), to the stand-in of its X-TC-Action: tencent-sms.ts or
 * tencent-pull.ts.
 */
export interface TencentApiStandIn {
  /** `http://127.0.0.1:PORT`, for TENCENT_SMS_ENDPOINT. */
  endpoint: string;
  sms: TencentSmsStandIn;
  pull: TencentPullStandin;
  close(): Promise<void>;
}

export async function startTencentApi(): Promise<TencentApiStandIn> {
  const sms = await startTencentSms();
  const pull = await startTencentPullStandin({ ...TENCENT_TEST_KEYS, sdkAppId: TENCENT_TEST_APP_ID });
  const server: Server = createServer((req, res) => {
    const action = String(req.headers['x-tc-action'] ?? '');
    const target = new URL(action.startsWith('PullSms') ? pull.url : sms.endpoint);
    const forward = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(err.message);
    });
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    sms,
    pull,
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
      await Promise.all([sms.close(), pull.close()]);
    },
  };
}
