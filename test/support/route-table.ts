import { ROLES, type Role, type ServiceName } from '#libs/contracts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call a route, transcribed from API.md: some roles, or any authenticated person. */
export type Allowed = readonly Role[] | 'any';

export interface RouteSpec {
  service: ServiceName;
  method: Method;
  /** OpenAPI style, as in each service's `/docs-json`: `/programs/{id}`. */
  path: string;
  roles: Allowed;
}

/** Every service the matrix covers (the gateway only proxies them). */
export const GUARDED_SERVICES = ['proposals', 'reviews', 'disbursements', 'assessments', 'audit'] as const satisfies readonly ServiceName[];

const route = (service: ServiceName, method: Method, path: string, roles: Allowed): RouteSpec => ({ service, method, path, roles });

/**
 * The role column of API.md, one row per endpoint. "creator" and "not the requester" are checks
 * on the resource made after the role check, so only the role is listed here.
 */
export const ROUTE_TABLE: readonly RouteSpec[] = [
  route('proposals', 'POST', '/programs', ['grant_manager']),
  route('proposals', 'GET', '/programs', 'any'),
  route('proposals', 'GET', '/programs/{id}', 'any'),
  route('proposals', 'PATCH', '/programs/{id}', ['grant_manager']),
  route('proposals', 'POST', '/programs/{id}/submit', ['grant_manager']),
  route('proposals', 'POST', '/programs/{id}/withdraw', ['grant_manager']),
  route('proposals', 'POST', '/programs/{id}/suspend', ['reviewer']),
  route('proposals', 'POST', '/programs/{id}/reinstate', ['reviewer']),
  route('proposals', 'POST', '/programs/{id}/close', ['grant_manager']),

  route('reviews', 'GET', '/reviews', ['reviewer', 'auditor']),
  route('reviews', 'GET', '/reviews/{id}', ['reviewer', 'auditor', 'grant_manager']),
  route('reviews', 'POST', '/reviews/{id}/decisions', ['reviewer']),
  route('reviews', 'GET', '/restricted-parties', ['admin', 'reviewer', 'auditor']),
  route('reviews', 'POST', '/restricted-parties', ['admin']),
  route('reviews', 'DELETE', '/restricted-parties/{id}', ['admin']),
  route('reviews', 'GET', '/priority-areas/{country}', 'any'),
  route('reviews', 'PUT', '/priority-areas/{country}', ['admin']),
  route('reviews', 'GET', '/thresholds', 'any'),
  route('reviews', 'GET', '/thresholds/{name}', 'any'),
  route('reviews', 'PUT', '/thresholds/{name}', ['admin']),

  route('disbursements', 'GET', '/funding-accounts', 'any'),
  route('disbursements', 'GET', '/funding-accounts/{programId}', 'any'),
  route('disbursements', 'POST', '/disbursements', ['grant_manager']),
  route('disbursements', 'GET', '/disbursements', 'any'),
  route('disbursements', 'GET', '/disbursements/{id}', 'any'),
  route('disbursements', 'POST', '/disbursements/{id}/approve', ['approver']),
  route('disbursements', 'POST', '/disbursements/{id}/reject', ['approver']),
  route('disbursements', 'POST', '/disbursements/{id}/release', ['approver']),
  route('disbursements', 'POST', '/disbursements/{id}/cancel', ['grant_manager']),

  route('assessments', 'GET', '/assessments', 'any'),
  route('assessments', 'GET', '/assessments/{id}', 'any'),
  route('assessments', 'GET', '/assessments/plans/{programId}', 'any'),
  route('assessments', 'PUT', '/assessments/plans/{programId}', ['scheduler']),
  route('assessments', 'POST', '/assessments', ['scheduler']),
  route('assessments', 'POST', '/assessments/{id}/reschedule', ['scheduler']),
  route('assessments', 'POST', '/assessments/{id}/outcome', ['reviewer']),

  route('audit', 'GET', '/audit/events', ['auditor']),
  route('audit', 'GET', '/audit/events/{seq}', ['auditor']),
  route('audit', 'GET', '/audit/programs/{programId}/timeline', ['auditor']),
  route('audit', 'GET', '/audit/verify', ['auditor']),
  route('audit', 'GET', '/audit/head', ['auditor']),
  route('audit', 'GET', '/audit/checkpoints', ['auditor']),
  route('audit', 'GET', '/audit/export', ['auditor']),
];

/** Open on every service (API.md): not part of the matrix. */
export const OPEN_PATH = /^\/(health\/|metrics$|docs)/;

export const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

export function allows(route: RouteSpec, role: Role): boolean {
  return route.roles === 'any' || route.roles.includes(role);
}

export function allowedRoles(route: RouteSpec): Role[] {
  return ROLES.filter((role) => allows(route, role));
}

/** The guarded routes an OpenAPI document declares, as `METHOD /path` keys. */
export function routesOfOpenApi(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  const methods = new Set(['get', 'post', 'put', 'patch', 'delete']);
  return Object.entries(doc.paths)
    .filter(([path]) => !OPEN_PATH.test(path))
    .flatMap(([path, operations]) => Object.keys(operations).filter((m) => methods.has(m)).map((m) => routeKey({ method: m, path })));
}

/** Fills `{param}` placeholders: ids get the given uuid, a country a real one, a ledger seq a number. */
export function concretePath(path: string, id: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'country') return 'GT';
    if (name === 'seq') return '1';
    return id;
  });
}
