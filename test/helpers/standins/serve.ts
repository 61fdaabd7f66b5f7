import { ALIYUN_TEST_KEYS, start as startAliyunSms } from './aliyun-sms.ts';
import { SNS_TEST_KEYS, startSnsStandIn } from './sns.ts';
import { standInTemplateCodes } from './template-codes.ts';
import { startTencentApi } from './tencent-api.ts';
import { TENCENT_TEST_APP_ID, TENCENT_TEST_KEYS } from './tencent-sms.ts';

/**
 * One provider's stand-in on 127.0.0.1 until Ctrl-C, for trying `npm start` against it by hand:
 *
 *   npx tsx test/helpers/standins/serve.ts aliyun|tencent|sns
 *
 * prints the environment to start the local system with (the stand-in's endpoint and test keys,
 * template codes for every template), then one line per request it answers. Test keys only: the
 * stand-ins accept nothing else, and send nothing anywhere.
 */
const provider = process.argv[2];
const print = (env: Record<string, string>) => {
  console.log('Start the local system with:\n');
  console.log(
    `${Object.entries(env)
      .map(([k, v]) => `${k}='${v}'`)
      .join(' \\\n  ')} \\\n  npm start\n`,
  );
};
const every = (ms: number, f: () => void) => setInterval(f, ms);

if (provider === 'aliyun') {
  const s = await startAliyunSms();
  print({
    SMS_GATEWAY: 'aliyun',
    ALIYUN_SMS_ENDPOINT: s.endpoint,
    ALIYUN_ACCESS_KEY_ID: ALIYUN_TEST_KEYS.accessKeyId,
    ALIYUN_ACCESS_KEY_SECRET: ALIYUN_TEST_KEYS.accessKeySecret,
    RULES: JSON.stringify({
      sms: { optOutHint: '拒收请回复R', templateCodes: standInTemplateCodes('aliyun') },
    }),
  });
  let seen = 0;
  every(200, () => {
    for (const r of s.requests.slice(seen)) {
      console.log(
        `${r.action} ${r.code} ${r.params.TemplateCode} ${r.params.TemplateParam ?? ''} BizId=${r.answer.BizId ?? ''} OutId=${r.params.OutId ?? ''}`,
      );
    }
    seen = s.requests.length;
  });
} else if (provider === 'tencent') {
  const s = await startTencentApi();
  print({
    SMS_GATEWAY: 'tencent',
    TENCENT_SMS_ENDPOINT: s.endpoint,
    TENCENT_SMS_SDK_APP_ID: TENCENT_TEST_APP_ID,
    TENCENT_SECRET_ID: TENCENT_TEST_KEYS.secretId,
    TENCENT_SECRET_KEY: TENCENT_TEST_KEYS.secretKey,
    RULES: JSON.stringify({ sms: { templateCodes: standInTemplateCodes('tencent') } }),
  });
  let seen = 0;
  every(200, () => {
    for (const r of s.sms.requests.slice(seen)) {
      const serial = (r.answer.SendStatusSet as { SerialNo?: string }[] | undefined)?.[0]?.SerialNo ?? '';
      console.log(
        `${r.action} ${r.code} ${r.params.TemplateId} ${JSON.stringify(r.params.TemplateParamSet)} SerialNo=${serial}`,
      );
    }
    seen = s.sms.requests.length;
  });
} else if (provider === 'sns') {
  const s = await startSnsStandIn('cn-north-1');
  print({
    SMS_GATEWAY: 'sns',
    SNS_ENDPOINT: s.endpoint,
    AWS_REGION: s.region,
    AWS_ACCESS_KEY_ID: SNS_TEST_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SNS_TEST_KEYS.secretAccessKey,
  });
  let seen = 0;
  every(200, () => {
    for (const p of s.published.slice(seen)) console.log(`Publish ${p.messageId} ${p.message}`);
    for (const r of s.refused.splice(0)) console.log(`refused: ${r}`);
    seen = s.published.length;
  });
} else {
  console.error('usage: npx tsx test/helpers/standins/serve.ts aliyun|tencent|sns');
  process.exit(2);
}
