import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aliyunKeysSchema, providerKeys, tencentKeysSchema } from '#shared/gateways/sms/provider-keys';

/**
 * The provider's keys from Secrets Manager (SMS_PROVIDER_SECRET_ARN), read through the official
 * client against a local stand-in of the GetSecretValue API (JSON 1.1, X-Amz-Target
 * secretsmanager.GetSecretValue): once per container, checked, never echoed.
 */

const ARN = 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:sms-provider-AbCdEf';
const secrets = new Map<string, string>();
const reads: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      const id = body.SecretId ?? '';
      const value = secrets.get(id);
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (
        target !== 'secretsmanager.GetSecretValue' ||
        !String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256')
      ) {
        res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException', message: 'bad request' }));
        return;
      }
      reads.push(id);
      if (value === undefined) {
        res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
        return;
      }
      res
        .writeHead(200)
        .end(JSON.stringify({ ARN: id, Name: 'sms-provider', SecretString: value, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', `http://127.0.0.1:${port}`);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((r) => server.close(r));
});

describe('providerKeys from Secrets Manager', () => {
  it('reads the secret once per container, on first use', async () => {
    secrets.set(ARN, JSON.stringify({ accessKeyId: 'LTAI-id', accessKeySecret: 'from-secrets-manager' }));
    const keys = providerKeys({ kind: 'secretsManager', arn: ARN }, aliyunKeysSchema());
    expect(reads).toHaveLength(0);
    expect(await keys()).toEqual({ accessKeyId: 'LTAI-id', accessKeySecret: 'from-secrets-manager' });
    expect(await keys()).toEqual({ accessKeyId: 'LTAI-id', accessKeySecret: 'from-secrets-manager' });
    expect(reads).toEqual([ARN]);
  });

  it('a bad value fails naming the variable, never the value, and is read again next time', async () => {
    const arn = `${ARN}-bad`;
    secrets.set(arn, JSON.stringify({ secretId: 'AKID', secretKey: '' }));
    const keys = providerKeys({ kind: 'secretsManager', arn }, tencentKeysSchema());
    const err = (await keys().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/SMS_PROVIDER_SECRET_ARN \(its value\)\.secretKey/);
    expect(err.message).not.toContain('AKID');
    secrets.set(arn, JSON.stringify({ secretId: 'AKID', secretKey: 'fixed' }));
    expect(await keys()).toEqual({ secretId: 'AKID', secretKey: 'fixed' });
    expect(reads.filter((r) => r === arn)).toHaveLength(2);
  });

  it('given keys are used as they are, nothing read', async () => {
    const before = reads.length;
    const keys = providerKeys(
      { kind: 'given', value: { secretId: 'a', secretKey: 'b' } },
      tencentKeysSchema(),
    );
    expect(await keys()).toEqual({ secretId: 'a', secretKey: 'b' });
    expect(reads).toHaveLength(before);
  });
});
