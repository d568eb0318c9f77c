import type { ServiceName } from '#libs/contracts';

/** Which service owns each public path prefix (API.md); the gateway forwards them unchanged. */
export const UPSTREAM_ROUTES: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/programs', service: 'proposals' },
  { prefix: '/reviews', service: 'reviews' },
  { prefix: '/restricted-parties', service: 'reviews' },
  { prefix: '/priority-areas', service: 'reviews' },
  { prefix: '/thresholds', service: 'reviews' },
  { prefix: '/disbursements', service: 'disbursements' },
  { prefix: '/funding-accounts', service: 'disbursements' },
  { prefix: '/assessments', service: 'assessments' },
  { prefix: '/audit', service: 'audit' },
];

/** The route a path belongs to: the prefix itself or anything below it, never `/programsX`. */
export function routeOf(path: string): { prefix: string; service: ServiceName } | undefined {
  const pathname = path.split('?')[0];
  return UPSTREAM_ROUTES.find((r) => pathname === r.prefix || pathname.startsWith(`${r.prefix}/`));
}
