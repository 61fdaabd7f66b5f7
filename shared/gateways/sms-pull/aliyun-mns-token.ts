import type { ProviderEndpoint } from '#shared/config/sms-provider';
import { providerSdks } from '#shared/gateways/provider-sdks/load';
import { chinaTime, type MnsCredentials, type MnsMessageType } from '#shared/gateways/sms-pull/aliyun-mns';
import type { ProviderCredentials } from '#shared/gateways/sms-pull/puller';
import { logger } from '#shared/runtime/log';
import { onceUntilFailure } from '#shared/runtime/once';

/**
 * Temporary credentials for the MNS queues Aliyun SMS hosts in its own account
 * (`Alicom-Queue-<accountId>-SmsUp` / `-SmsReport`): Dybaseapi `QueryTokenForMnsQueue`
 * (version 2017-05-25, RPC, `MessageType` + `QueueName`), called with the sender's access key
 * through the generic official `@alicloud/openapi-core` client (the only Node SDK of Dybaseapi,
 * `@alicloud/dybaseapi`, is the retired pop-core kind). One token per queue, kept per container
 * until `refreshBeforeMs` before its ExpireTime, or until MNS refuses it (`refused`).
 */
export interface MnsTokenSettings {
  /** Dybaseapi: `dybaseapi.aliyuncs.com`, or a loopback stand-in over http. */
  endpoint: ProviderEndpoint;
  /** The sender's access key (the token is asked for with it). */
  credentials: () => Promise<ProviderCredentials>;
  /** Wall-clock milliseconds (tests pass their own). */
  now?: () => number;
  /** A token is replaced this long before its ExpireTime (Aliyun's samples: 2 minutes). */
  refreshBeforeMs?: number;
}

/** Temporary credentials of one queue; `expiresAt` in epoch milliseconds. */
export interface MnsQueueToken extends ProviderCredentials {
  securityToken: string;
  expiresAt: number;
}

/** A refused or unreadable QueryTokenForMnsQueue: the API's Code only (never the keys). */
export class MnsTokenError extends Error {
  override name = 'MnsTokenError';
  constructor(readonly code: string) {
    super(`QueryTokenForMnsQueue failed: ${code}`);
  }
}

const REFRESH_BEFORE_MS = 2 * 60_000;

/** What QueryTokenForMnsQueue answers, as the official SDKs model it. */
interface QueryTokenForMnsQueueBody {
  Code?: unknown;
  Message?: unknown;
  MessageTokenDTO?: {
    AccessKeyId?: unknown;
    AccessKeySecret?: unknown;
    SecurityToken?: unknown;
    CreateTime?: unknown;
    ExpireTime?: unknown;
  };
}

/**
 * A QueryTokenForMnsQueue answer as a token, or the MnsTokenError to throw: Code `OK` and every
 * field of MessageTokenDTO, ExpireTime being Beijing time (`2026-12-01 10:00:00`).
 */
export function messageToken(body: unknown): MnsQueueToken | MnsTokenError {
  const b = (body && typeof body === 'object' ? body : {}) as QueryTokenForMnsQueueBody;
  if (b.Code !== 'OK') return new MnsTokenError(typeof b.Code === 'string' && b.Code ? b.Code : 'no_code');
  const dto = b.MessageTokenDTO ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const id = text(dto.AccessKeyId);
  const secret = text(dto.AccessKeySecret);
  const securityToken = text(dto.SecurityToken);
  const expire = chinaTime(dto.ExpireTime);
  if (!id || !secret || !securityToken || !expire) return new MnsTokenError('unreadable_MessageTokenDTO');
  return { id, secret, securityToken, expiresAt: Date.parse(expire) };
}

type CallToken = (type: MnsMessageType, queue: string) => Promise<unknown>;

interface Entry {
  promise: Promise<MnsQueueToken>;
  token?: MnsQueueToken;
}

export function mnsQueueTokens(settings: MnsTokenSettings): MnsCredentials {
  const now = settings.now ?? Date.now;
  const refreshBeforeMs = settings.refreshBeforeMs ?? REFRESH_BEFORE_MS;
  const cache = new Map<string, Entry>();
  const key = (type: MnsMessageType, queue: string) => `${type}\n${queue}`;

  // e.g. the keys' secret not readable now: tried again next time
  const client = onceUntilFailure(() => openapiClient(settings));
  const callToken: CallToken = async (type, queue) => (await client())(type, queue);

  const fetchToken = async (type: MnsMessageType, queue: string): Promise<MnsQueueToken> => {
    let body: unknown;
    try {
      body = await callToken(type, queue);
    } catch (err) {
      // The API's Code when it answered with one (ClientError/ServerError of openapi-core).
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code !== '' && code !== 'undefined') throw new MnsTokenError(code);
      throw err;
    }
    const token = messageToken(body);
    if (token instanceof MnsTokenError) throw token;
    logger.info('MNS queue token fetched', {
      messageType: type,
      expiresAt: new Date(token.expiresAt).toISOString(),
    });
    return token;
  };

  return {
    async get(type, queue) {
      const k = key(type, queue);
      const cached = cache.get(k);
      if (cached) {
        const token = cached.token ?? (await cached.promise.catch(() => undefined));
        if (token && token.expiresAt - refreshBeforeMs > now()) return token;
        if (cache.get(k) === cached) cache.delete(k);
      }
      const pending = cache.get(k);
      if (pending) return pending.promise; // another pull is fetching it already
      const entry: Entry = { promise: fetchToken(type, queue) };
      cache.set(k, entry);
      entry.promise.then(
        (token) => {
          entry.token = token;
        },
        () => {
          if (cache.get(k) === entry) cache.delete(k); // a failure is not kept
        },
      );
      return entry.promise;
    },
    refused(type, queue, used) {
      const k = key(type, queue);
      const cached = cache.get(k);
      // Only the token MNS refused: one fetched since then is kept.
      if (cached?.token && cached.token.id === used.id) cache.delete(k);
    },
  };
}

/** QueryTokenForMnsQueue through openapi-core, as the generated Dybaseapi SDKs call it. */
async function openapiClient(settings: MnsTokenSettings): Promise<CallToken> {
  const [sdks, keys] = await Promise.all([providerSdks(), settings.credentials()]);
  const core = sdks.openapiCore;
  const { RuntimeOptions } = sdks.darabonba;
  // A CommonJS module: its class is `default`, or `default.default` where the loader wraps it.
  const OpenApi =
    typeof core.default === 'function'
      ? core.default
      : (core.default as unknown as { default: typeof core.default }).default;
  const { $OpenApiUtil, OpenApiUtil } = core;
  const api = new OpenApi(
    new $OpenApiUtil.Config({
      accessKeyId: keys.id,
      accessKeySecret: keys.secret,
      ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
      endpoint: settings.endpoint.host,
      protocol: settings.endpoint.protocol,
    }),
  );
  const params = new $OpenApiUtil.Params({
    action: 'QueryTokenForMnsQueue',
    version: '2017-05-25',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  return async (type, queue) => {
    const res = await api.callApi(
      params,
      new $OpenApiUtil.OpenApiRequest({
        query: OpenApiUtil.query({ MessageType: type, QueueName: queue }),
      }),
      new RuntimeOptions({ readTimeout: 10_000, connectTimeout: 5_000 }),
    );
    return res.body;
  };
}
