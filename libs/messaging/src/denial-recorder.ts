import { Injectable } from '@nestjs/common';
import { RequestContext, type DenialRecorder } from '#libs/common';
import { TransactionRunner } from '#libs/persistence';
import { Outbox } from './outbox.js';

const PROGRAM_IN_PATH = /\/(?:programs|funding-accounts|plans)\/([0-9a-f-]{36})/i;

/** Records every 401/403 as an `access.denied` event, in its own transaction (the request's rolled back). */
@Injectable()
export class OutboxDenialRecorder implements DenialRecorder {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly outbox: Outbox,
  ) {}

  async recordDenial(d: { method: string; path: string; statusCode: number; code: string; reason: string; programId: string | null }) {
    const actor = RequestContext.get()?.actor;
    const programId = d.programId ?? PROGRAM_IN_PATH.exec(d.path)?.[1] ?? null;
    await this.tx.run((em) =>
      this.outbox.append(em, [
        {
          type: 'access.denied',
          aggregateType: 'access',
          aggregateId: actor?.id ?? 'anonymous',
          aggregateVersion: 0,
          payload: { method: d.method, path: d.path, statusCode: d.statusCode, code: d.code, reason: d.reason, programId },
        },
      ]),
    );
  }
}
