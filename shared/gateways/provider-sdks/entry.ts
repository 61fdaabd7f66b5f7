/**
 * The SMS providers' SDKs in one module: bundled on its own (infra/build/provider-sdks-chunk.ts) into
 * provider-sdks.mjs, shipped beside index.mjs by the functions that send or pull SMS, and imported by
 * `providerSdks()` (load.ts) on a provider's first send or pull: some 1.6 MB that no cold start
 * parses. Run from source, this file is imported as is.
 */

export * as dysms from '@alicloud/dysmsapi20170525';
export * as mns from '@alicloud/mns/lib/client.js';
export * as openapiCore from '@alicloud/openapi-core';
export * as darabonba from '@darabonba/typescript';
export * as tencentSms from 'tencentcloud-sdk-nodejs-sms';
