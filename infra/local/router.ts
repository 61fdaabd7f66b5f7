import type { RouteDef } from '#shared/http/routes';

/**
 * Route matching as API Gateway does it for the routes of shared/http/routes.ts: exact segments,
 * `{name}` for one path segment and `{name+}` for the rest of the path.
 */
export interface RouteMatch {
  route: RouteDef;
  routeKey: string;
  pathParameters: Record<string, string>;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const greedy = /^\{(.+)\+\}$/.exec(w);
    if (greedy?.[1]) {
      if (i >= got.length) return undefined;
      params[greedy[1]] = got.slice(i).map(decode).join('/');
      return params;
    }
    const g = got[i];
    if (g === undefined) return undefined;
    const param = /^\{(.+)\}$/.exec(w);
    if (param?.[1]) params[param[1]] = decode(g);
    else if (w !== g) return undefined;
  }
  return got.length === want.length ? params : undefined;
}

export function matchRoute(
  routes: readonly RouteDef[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const m = method.toUpperCase();
  // Exact routes win over parameterised ones, as on API Gateway.
  const ordered = [...routes].sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')));
  for (const route of ordered) {
    if (route.method !== m) continue;
    const pathParameters = matchPath(route.path, path);
    if (pathParameters) return { route, routeKey: `${route.method} ${route.path}`, pathParameters };
  }
  return undefined;
}
