/**
 * The HTTP API, in one list: the CDK stack creates these routes on API Gateway and the local
 * server serves the same ones, both calling the handler named by `fn` (functions/<fn>/handler.ts).
 * `auth: true` routes sit behind the JWT authorizer.
 */
export interface RouteDef {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  fn: FunctionName;
  auth: boolean;
}

export const functionNames = [
  'ticket-completed',
  'ticket-reopened',
  'sms-inbound',
  'scheduler',
  'reports',
  'callbacks',
  'survey-page',
  'dashboard',
  'openapi',
  'work-order-reply',
  'customers',
  'sms-callbacks',
  'sms-inbox',
  'due-worker',
] as const;
export type FunctionName = (typeof functionNames)[number];

export const routes: readonly RouteDef[] = [
  { method: 'POST', path: '/v1/tickets/completed', fn: 'ticket-completed', auth: false },
  { method: 'POST', path: '/v1/tickets/reopened', fn: 'ticket-reopened', auth: false },
  { method: 'POST', path: '/v1/tickets/dispatched', fn: 'ticket-completed', auth: false },
  { method: 'GET', path: '/v1/reports/engineers', fn: 'reports', auth: true },
  { method: 'GET', path: '/v1/reports/engineers/{engineerId}', fn: 'reports', auth: true },
  { method: 'GET', path: '/v1/reports/teams', fn: 'reports', auth: true },
  { method: 'GET', path: '/v1/reports/regions', fn: 'reports', auth: true },
  { method: 'GET', path: '/v1/callbacks', fn: 'callbacks', auth: true },
  { method: 'GET', path: '/v1/callbacks/{id}', fn: 'callbacks', auth: true },
  { method: 'POST', path: '/v1/callbacks/{id}/notes', fn: 'callbacks', auth: true },
  { method: 'POST', path: '/v1/callbacks/{id}/close', fn: 'callbacks', auth: true },
  { method: 'GET', path: '/v1/messages', fn: 'callbacks', auth: true },
  { method: 'POST', path: '/v1/callbacks/{id}/review', fn: 'callbacks', auth: true },
  { method: 'GET', path: '/s/{token}', fn: 'survey-page', auth: false },
  { method: 'POST', path: '/s/{token}', fn: 'survey-page', auth: false },
  { method: 'GET', path: '/dashboard', fn: 'dashboard', auth: false },
  { method: 'GET', path: '/dashboard/assets/{file}', fn: 'dashboard', auth: false },
  { method: 'GET', path: '/workbench', fn: 'dashboard', auth: false },
  { method: 'GET', path: '/openapi.json', fn: 'openapi', auth: false },
  { method: 'DELETE', path: '/v1/customers/{phone}', fn: 'customers', auth: true },
  // The SMS providers' pushes: the secret {token} in the path is the credential.
  { method: 'POST', path: '/v1/sms/aliyun/{token}/replies', fn: 'sms-callbacks', auth: false },
  { method: 'POST', path: '/v1/sms/aliyun/{token}/receipts', fn: 'sms-callbacks', auth: false },
  { method: 'POST', path: '/v1/sms/tencent/{token}/replies', fn: 'sms-callbacks', auth: false },
  { method: 'POST', path: '/v1/sms/tencent/{token}/receipts', fn: 'sms-callbacks', auth: false },
];
