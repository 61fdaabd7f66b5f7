import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '#shared/domain/errors';
import type { WebhookSecrets } from '#shared/gateways/webhook-secrets';
import { header, jsonBody, rawBody } from '#shared/http/http';

/** Verifiers of the secrets valid now, built once per value of the secrets. */
const verifiersOf = new WeakMap<readonly string[], Webhook[]>();

async function verifiers(webhookSecrets: WebhookSecrets): Promise<Webhook[]> {
  const secrets = await webhookSecrets();
  let v = verifiersOf.get(secrets);
  if (!v) {
    v = secrets.map((s) => new Webhook(s));
    verifiersOf.set(secrets, v);
  }
  return v;
}

/** Verifies a Standard Webhooks signature (id, timestamp within 5 minutes of the real clock, HMAC). */
export async function verifyWebhook(
  webhookSecrets: WebhookSecrets,
  rawBody: string,
  headers: Record<string, string | undefined>,
): Promise<void> {
  const h = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  for (const v of await verifiers(webhookSecrets)) {
    try {
      v.verify(rawBody, h, { jsonParse: false });
      return;
    } catch {
      // try the next secret
    }
  }
  throw new UnauthorizedError('missing, invalid or stale webhook signature');
}

/**
 * The body of a signed webhook request, in the order a caller learns about its mistakes:
 * too large (413), not signed by us (401), not JSON (415/400). Nothing about it is trusted before.
 */
export async function signedJsonBody(
  deps: { webhookSecrets: WebhookSecrets },
  event: APIGatewayProxyEventV2,
): Promise<unknown> {
  const text = rawBody(event);
  await verifyWebhook(deps.webhookSecrets, text, {
    'webhook-id': header(event, 'webhook-id'),
    'webhook-timestamp': header(event, 'webhook-timestamp'),
    'webhook-signature': header(event, 'webhook-signature'),
  });
  return jsonBody(event, text);
}
