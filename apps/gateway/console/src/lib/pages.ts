import type { Role } from './reference';
import { hasRole, type Session } from './session';

export interface PageEntry {
  key: string;
  path: string;
  label: string;
  /** Roles that may use the page; null means everyone signed in. */
  roles: Role[] | null;
}

/** The navigation: each page shows only to the roles that may use it (auditors read everything). */
export const PAGES: PageEntry[] = [
  { key: 'overview', path: '/', label: 'Overview', roles: null },
  { key: 'programs', path: '/programs', label: 'Programs', roles: null },
  { key: 'reviews', path: '/reviews', label: 'Review queue', roles: ['reviewer', 'auditor'] },
  { key: 'approvals', path: '/approvals', label: 'Approvals', roles: ['approver', 'auditor'] },
  { key: 'assessments', path: '/assessments', label: 'Assessment calendar', roles: ['scheduler', 'reviewer', 'auditor'] },
  { key: 'audit', path: '/audit', label: 'Audit explorer', roles: ['auditor'] },
  { key: 'admin', path: '/admin', label: 'Administration', roles: ['admin'] },
];

export function mayUse(session: Session, page: PageEntry): boolean {
  return page.roles === null || hasRole(session, ...page.roles);
}

export function pageByKey(key: string): PageEntry {
  const page = PAGES.find((p) => p.key === key);
  if (!page) throw new Error(`Unknown page ${key}`);
  return page;
}
