import { routeOf } from './upstream-routes.js';

describe('routeOf', () => {
  it.each([
    ['/programs', 'proposals'],
    ['/programs/0192f0c4-7d2a-7c3e-9b1a-2f4d5e6a7b8c/submit', 'proposals'],
    ['/programs?status=DRAFT', 'proposals'],
    ['/restricted-parties/abc', 'reviews'],
    ['/priority-areas/GT', 'reviews'],
    ['/funding-accounts/x', 'disbursements'],
    ['/assessments/plans/x', 'assessments'],
    ['/audit/export?format=csv', 'audit'],
  ])('sends %s to %s', (path, service) => {
    expect(routeOf(path)?.service).toBe(service);
  });

  it.each(['/', '/programsX', '/health/ready', '/console/people', '/docs-json', '/auditor'])('keeps %s for the gateway', (path) => {
    expect(routeOf(path)).toBeUndefined();
  });
});
