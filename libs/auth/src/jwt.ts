import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ROLES, type Actor, type Role } from '#libs/contracts';
import { UnauthenticatedError } from '#libs/common';

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

/** Verifies an HS256 token; `alg: none`, other algorithms, bad signatures and expired tokens fail. */
export function verifyToken(token: string, secret: string): Actor {
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
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => ROLES.includes(r)) : [];
  return {
    id: claims.sub,
    name: typeof claims.name === 'string' ? claims.name : undefined,
    roles,
    org: typeof claims.org === 'string' ? claims.org : undefined,
  };
}

export function signToken(claims: TokenClaims, secret: string, expiresIn: jwt.SignOptions['expiresIn'] = '12h'): string {
  return jwt.sign({ ...claims }, secretKey(secret), { algorithm: 'HS256', expiresIn });
}
