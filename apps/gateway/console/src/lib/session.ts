import { ROLES, type Role } from './reference';

/** Who is signed in, read from the token's claims (the server still checks every call). */
export interface Session {
  token: string;
  sub: string;
  name: string;
  roles: Role[];
  org: string;
  expiresAt: number | null;
}

const STORAGE_KEY = 'cuentas.token';
const listeners = new Set<() => void>();
let current: Session | null = null;
let notice: string | null = null;

function decodeSegment(segment: string): unknown {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** Reads the claims of a JWT, or explains why the text is not one. */
export function decodeToken(token: string): Session | string {
  const parts = token.trim().split('.');
  if (parts.length !== 3) return 'This is not a JWT: it should have three dot-separated parts.';
  let claims: Record<string, unknown>;
  try {
    claims = decodeSegment(parts[1]) as Record<string, unknown>;
  } catch {
    return 'The token payload could not be read.';
  }
  if (typeof claims.sub !== 'string' || !Array.isArray(claims.roles)) {
    return 'The token lacks the `sub` and `roles` claims.';
  }
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= Date.now()) return 'The token has expired.';
  return {
    token: token.trim(),
    sub: claims.sub,
    name: typeof claims.name === 'string' ? claims.name : claims.sub,
    roles: claims.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r as string)),
    org: typeof claims.org === 'string' ? claims.org : '',
    expiresAt,
  };
}

function emit(): void {
  for (const listener of listeners) listener();
}

export function getSession(): Session | null {
  if (current) return current;
  const stored = sessionStorage.getItem(STORAGE_KEY);
  if (!stored) return null;
  const decoded = decodeToken(stored);
  if (typeof decoded === 'string') {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
  current = decoded;
  return current;
}

/** Signs in with a token; returns an explanation when the token cannot be used. */
export function signIn(token: string): string | null {
  const decoded = decodeToken(token);
  if (typeof decoded === 'string') return decoded;
  sessionStorage.setItem(STORAGE_KEY, decoded.token);
  current = decoded;
  notice = null;
  emit();
  return null;
}

export function signOut(reason: string | null = null): void {
  sessionStorage.removeItem(STORAGE_KEY);
  current = null;
  notice = reason;
  emit();
}

/** Why the last session ended (a token the server refused), until the next sign-in. */
export function signOutNotice(): string | null {
  return notice;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function hasRole(session: Session | null, ...roles: Role[]): boolean {
  return !!session && roles.some((role) => session.roles.includes(role));
}
