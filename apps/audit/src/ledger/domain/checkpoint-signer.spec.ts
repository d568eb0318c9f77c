import { generateKeyPairSync } from 'node:crypto';
import { ValidationError } from '#libs/core';
import {
  generateDevKeyPair,
  publicKeyPemOf,
  signCheckpoint,
  verifyCheckpoint,
  type SignedCheckpoint,
} from './checkpoint-signer.js';

const keys = generateDevKeyPair();
const head = { seq: 1234, hash: 'ab'.repeat(32), recordedAt: '2025-05-01T10:00:00.000Z' };
const signedAt = new Date('2025-05-01T10:00:01.500Z');

describe('checkpoint signer', () => {
  it('signs a head with Ed25519 and the signature verifies with the public key', () => {
    const checkpoint = signCheckpoint(head, keys.privateKeyPem, signedAt);

    expect(checkpoint).toEqual({
      seq: 1234,
      hash: head.hash,
      signedAt: '2025-05-01T10:00:01.500Z',
      signature: expect.any(String),
    });
    expect(Buffer.from(checkpoint.signature, 'base64')).toHaveLength(64);
    expect(verifyCheckpoint(checkpoint, keys.publicKeyPem)).toBe(true);
  });

  it.each<[string, (cp: SignedCheckpoint) => SignedCheckpoint]>([
    ['seq', (cp) => ({ ...cp, seq: cp.seq - 1 })],
    ['hash', (cp) => ({ ...cp, hash: 'ac' + cp.hash.slice(2) })],
    ['signedAt', (cp) => ({ ...cp, signedAt: '2025-05-01T10:00:01.501Z' })],
    ['signature', (cp) => ({ ...cp, signature: flipFirstByte(cp.signature) })],
    ['signature length', (cp) => ({ ...cp, signature: cp.signature.slice(0, 40) })],
  ])('rejects a checkpoint with a tampered %s', (_, tamper) => {
    const checkpoint = signCheckpoint(head, keys.privateKeyPem, signedAt);

    expect(verifyCheckpoint(tamper(checkpoint), keys.publicKeyPem)).toBe(false);
  });

  it('rejects a checkpoint signed with another key', () => {
    const checkpoint = signCheckpoint(head, generateDevKeyPair().privateKeyPem, signedAt);

    expect(verifyCheckpoint(checkpoint, keys.publicKeyPem)).toBe(false);
  });

  it('derives the public key from the configured private key', () => {
    const checkpoint = signCheckpoint(head, keys.privateKeyPem, signedAt);

    expect(publicKeyPemOf(keys.privateKeyPem)).toBe(keys.publicKeyPem);
    expect(verifyCheckpoint(checkpoint, publicKeyPemOf(keys.privateKeyPem))).toBe(true);
  });

  it('derives the same development key pair from the same seed, so restarts keep verifying', () => {
    const first = generateDevKeyPair('cuentas-dev');
    const checkpoint = signCheckpoint(head, first.privateKeyPem, signedAt);

    expect(generateDevKeyPair('cuentas-dev')).toEqual(first);
    expect(generateDevKeyPair('another-seed').publicKeyPem).not.toBe(first.publicKeyPem);
    expect(verifyCheckpoint(checkpoint, generateDevKeyPair('cuentas-dev').publicKeyPem)).toBe(true);
    expect(first.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
  });

  it('generates a different random pair without a seed', () => {
    expect(generateDevKeyPair().publicKeyPem).not.toBe(generateDevKeyPair().publicKeyPem);
  });

  it('refuses a key that is not Ed25519', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const checkpoint = signCheckpoint(head, keys.privateKeyPem, signedAt);

    expect(() => signCheckpoint(head, ec.privateKey, signedAt)).toThrow(ValidationError);
    expect(() => verifyCheckpoint(checkpoint, ec.publicKey)).toThrow(ValidationError);
  });
});

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 0xff;
  return bytes.toString('base64');
}
