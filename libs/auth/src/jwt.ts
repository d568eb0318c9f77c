import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { ROLES, type Actor, type Role } from '#libs/contracts';
import { UnauthenticatedError, isStorableText } from '#libs/common';

export interface TokenClaims {
  sub: string;
  name?: string;
  roles: Role[];
  org?: string;
}

const secretKeys = new Map<string, KeyObject>();

/**
 * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries (and fails) to
 * read it as a public key on every call, which cost more CPU than the rest of a request's auth.
 */
function secretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return key;
}

/** Tokens verified lately, per secret: a client sends the same token with every request. */
const verified = new Map<string, LRUCache<string, Actor>>();
/** How long a verified token is taken on trust at most, however far off its expiry. */
const TRUST_MS = 60_000;

/**
 * Verifies an HS256 token; `alg: none`, other algorithms, bad signatures and expired tokens fail.
 * A token verified before is answered from memory until it expires (a minute at most): checking
 * its signature and claims again on every request was about 2 % of a service's CPU under load.
 */
export function verifyToken(token: string, secret: string): Actor {
  let cache = verified.get(secret);
  if (!cache) verified.set(secret, (cache = new LRUCache<string, Actor>({ max: 10_000, ttl: TRUST_MS })));
  const known = cache.get(token);
  if (known) return known;
  const { actor, expiresAt } = verifyClaims(token, secret);
  const left = expiresAt === undefined ? TRUST_MS : Math.min(TRUST_MS, expiresAt - Date.now());
  if (left > 0) cache.set(token, actor, { ttl: left });
  return actor;
}

function verifyClaims(token: string, secret: string): { actor: Actor; expiresAt?: number } {
  let claims: jwt.JwtPayload | string;
  try {
    claims = jwt.verify(token, secretKey(secret), { algorithms: ['HS256'] });
  } catch (err) {
    const reason = err instanceof jwt.TokenExpiredError ? 'The token has expired' : 'The token is not valid';
    throw new UnauthenticatedError(reason);
  }
  if (typeof claims === 'string' || typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new UnauthenticatedError('The token has no subject');
  }
  // Who acted is written into every event: text Postgres cannot store would fail each of its writes.
  if ([claims.sub, claims.name, claims.org].some((claim) => typeof claim === 'string' && !isStorableText(claim))) {
    throw new UnauthenticatedError('The token is not valid');
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => ROLES.includes(r)) : [];
  // Frozen: one actor object now serves every request that brings its token.
  const actor = {
    id: claims.sub,
    name: typeof claims.name === 'string' ? claims.name : undefined,
    roles: Object.freeze(roles) as Role[],
    org: typeof claims.org === 'string' ? claims.org : undefined,
  };
  return { actor: Object.freeze(actor), expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined };
}

export function signToken(claims: TokenClaims, secret: string, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
  return jwt.sign({ ...claims }, secretKey(secret), { algorithm: 'HS256', expiresIn });
}
