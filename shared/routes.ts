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
] as const;
export type FunctionName = (typeof functionNames)[number];

export const routes: readonly RouteDef[] = [
  { method: 'POST', path: '/v1/tickets/completed', fn: 'ticket-completed', auth: false },
  { method: 'POST', path: '/v1/tickets/reopened', fn: 'ticket-reopened', auth: false },
  { method: 'GET', path: '/v1/reports/engineers', fn: 'reports', auth: true },
];
