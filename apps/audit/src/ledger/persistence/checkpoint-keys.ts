import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '#libs/common';
import { generateDevKeyPair, publicKeyPemOf, type KeyPairPem } from '../domain/checkpoint-signer.js';

/** Seed of the development key: fixed, so checkpoints signed before a restart still verify. */
const DEV_KEY_SEED = 'cuentas-development-audit-checkpoints';

/**
 * The checkpoint key pair from `AUDIT_SIGNING_KEY` (Ed25519 PKCS8 PEM). Outside production a
 * deterministic development key stands in; in production a missing key stops the service at boot.
 */
export function checkpointKeyPair(config: Pick<ServiceConfig, 'auditSigningKey' | 'nodeEnv'>): KeyPairPem {
  if (config.auditSigningKey) {
    // Environments often carry PEMs with escaped newlines.
    const privateKeyPem = config.auditSigningKey.replaceAll('\\n', '\n');
    return { privateKeyPem, publicKeyPem: publicKeyPemOf(privateKeyPem) };
  }
  if (config.nodeEnv === 'production') {
    throw new Error('AUDIT_SIGNING_KEY (an Ed25519 PKCS8 PEM) must be set in production');
  }
  return generateDevKeyPair(DEV_KEY_SEED);
}

@Injectable()
export class CheckpointKeys implements KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    ({ privateKeyPem: this.privateKeyPem, publicKeyPem: this.publicKeyPem } = checkpointKeyPair(config));
  }
}
