import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ValidationError } from '#libs/core';

/** A ledger head `{ seq, hash }` signed at `signedAt`, to anchor the chain outside the database. */
export interface SignedCheckpoint {
  seq: number;
  hash: string;
  signedAt: string;
  /** Ed25519 over canonicalize({ seq, hash, signedAt }), base64. */
  signature: string;
}

export interface KeyPairPem {
  /** PKCS8 PEM, the form of `AUDIT_SIGNING_KEY`. */
  privateKeyPem: string;
  /** SPKI PEM. */
  publicKeyPem: string;
}

// PKCS8 DER prefix of an Ed25519 private key; the 32-byte seed follows (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function checkpointBytes(seq: number, hash: string, signedAt: string): Buffer {
  // An object literal always canonicalizes to a string.
  return Buffer.from(canonicalize({ seq, hash, signedAt }) as string, 'utf8');
}

/** Refuses any other key type: a configured RSA or EC key would otherwise sign with the wrong scheme. */
function requireEd25519(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ValidationError(`the audit signing key must be Ed25519, got ${key.asymmetricKeyType ?? key.type}`);
  }
  return key;
}

export function signCheckpoint(
  head: { seq: number; hash: string },
  privateKeyPem: string,
  signedAt: Date,
): SignedCheckpoint {
  const key = requireEd25519(createPrivateKey(privateKeyPem));
  const at = signedAt.toISOString();
  const signature = sign(null, checkpointBytes(head.seq, head.hash, at), key).toString('base64');
  return { seq: head.seq, hash: head.hash, signedAt: at, signature };
}

/** False for any change to seq, hash, signedAt or the signature; throws only for an unusable key. */
export function verifyCheckpoint(checkpoint: SignedCheckpoint, publicKeyPem: string): boolean {
  const key = requireEd25519(createPublicKey(publicKeyPem));
  const data = checkpointBytes(checkpoint.seq, checkpoint.hash, checkpoint.signedAt);
  return verify(null, data, key, Buffer.from(checkpoint.signature, 'base64'));
}

/** The SPKI PEM public key of a PKCS8 PEM private key, so only the private key is configured. */
export function publicKeyPemOf(privateKeyPem: string): string {
  const key = requireEd25519(createPrivateKey(privateKeyPem));
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * An Ed25519 key pair for development. With a `seed` the pair is derived from it, so a default
 * key survives restarts and earlier checkpoints still verify; without one it is random.
 */
export function generateDevKeyPair(seed?: string): KeyPairPem {
  if (seed === undefined) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    return { privateKeyPem: privateKey, publicKeyPem: publicKey };
  }
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, createHash('sha256').update(seed, 'utf8').digest()]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(),
  };
}
