import type { ServiceName } from '#libs/contracts';
import { eventually } from './test-infra.js';

export interface DriverResponse {
  status: number;
  body: any;
}

/** Where each service answers (one base URL for all when going through the gateway). */
export type BaseUrlOf = (service: ServiceName) => string;

export interface LifecycleTokens {
  manager: string;
  reviewer: string;
  approver: string;
  scheduler: string;
}

export const INDICATOR = 'Youth placed in jobs';

export function lifecycleProgram(i: number) {
  return {
    title: `Youth employment cohort ${i}`,
    summary: 'Vocational training and job placement for young people at risk of migrating.',
    country: (['GT', 'HN', 'SV'] as const)[i % 3],
    pillar: (['I', 'II', 'III', 'IV', 'V'] as const)[i % 5],
    objectives: [{ description: 'Increase youth employment', indicators: [{ name: INDICATOR, unit: 'people', baseline: 0, target: 1200 }] }],
    targetAreas: ['Huehuetenango', 'Cortés', 'San Miguel'],
    implementingPartner: { name: `Fundación Juventud ${i}`, registrationId: `REG-${i}`, country: 'GT' },
    budgetCents: 250_000_000,
    cofunding: [],
    startDate: '2027-01-01',
    endDate: '2027-12-31',
    assessmentCadenceDays: 90,
  };
}

/**
 * Drives one program through its whole life over HTTP: draft, submit, review approval, a
 * disbursement requested, approved and released, an ad-hoc assessment answered CONTINUE.
 * Network failures (a process being restarted) are retried; every retried write is idempotent
 * (Idempotency-Key) or checked against the state it should have produced.
 */
export class LifecycleDriver {
  /** Per step: time from sending the command to its 2xx answer, in ms. */
  readonly latencies: Record<string, number[]> = {};

  constructor(
    private readonly baseUrl: BaseUrlOf,
    private readonly tokens: LifecycleTokens,
    private readonly waitMs = 60_000,
  ) {}

  async call(service: ServiceName, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<DriverResponse> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const res = await fetch(`${this.baseUrl(service)}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status === 503 || res.status === 502) throw new Error(`unavailable: ${res.status}`);
        return { status: res.status, body: text ? JSON.parse(text) : null };
      } catch (err) {
        if (attempt >= 150) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async command(step: string, service: ServiceName, method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<DriverResponse> {
    const started = performance.now();
    const res = await this.call(service, method, path, token, body, headers);
    (this.latencies[step] ??= []).push(performance.now() - started);
    return res;
  }

  private expect(res: DriverResponse, ok: number[], what: string): DriverResponse {
    if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res;
  }

  private wait<T>(what: () => Promise<T>): Promise<T> {
    return eventually(what, this.waitMs, 50);
  }

  async createAndSubmit(i: number): Promise<string> {
    const { manager } = this.tokens;
    const created = this.expect(await this.command('create', 'proposals', 'POST', '/programs', manager, lifecycleProgram(i)), [201], 'create');
    const id = created.body.id as string;
    const submitted = await this.command('submit', 'proposals', 'POST', `/programs/${id}/submit`, manager);
    // A retry after a lost answer finds the program already submitted: that is the state we wanted.
    if (submitted.status !== 200) await this.waitForProgram(id, ['SUBMITTED', 'UNDER_REVIEW']);
    return id;
  }

  async waitForProgram(id: string, statuses: string[]): Promise<void> {
    await this.wait(async () => {
      const res = await this.call('proposals', 'GET', `/programs/${id}`, this.tokens.reviewer);
      if (!statuses.includes(res.body?.status)) throw new Error(`program ${id} is ${res.body?.status}`);
    });
  }

  async approveReview(id: string): Promise<void> {
    const { reviewer } = this.tokens;
    const review = await this.wait(async () => {
      const res = await this.call('reviews', 'GET', `/reviews?programId=${id}`, reviewer);
      const open = res.body?.items?.[0];
      if (!open) throw new Error(`no review for ${id} yet`);
      return open;
    });
    await this.waitForProgram(id, ['UNDER_REVIEW', 'APPROVED']);
    const decided = await this.command('decide', 'reviews', 'POST', `/reviews/${review.id}/decisions`, reviewer, {
      decision: 'APPROVE',
      rationale: 'All safeguards pass and the objectives are measurable.',
    });
    if (decided.status !== 200) await this.waitForProgram(id, ['APPROVED']);
    await this.waitForProgram(id, ['APPROVED']);
  }

  async disburse(id: string, amountCents = 1_000_000): Promise<string> {
    const { manager, approver } = this.tokens;
    await this.wait(async () => {
      const res = await this.call('disbursements', 'GET', `/funding-accounts/${id}`, manager);
      if (res.status !== 200) throw new Error(`no funding account for ${id} yet`);
    });
    const requested = this.expect(
      await this.command('request', 'disbursements', 'POST', '/disbursements', manager, { programId: id, amountCents, purpose: 'First tranche for training' }, { 'Idempotency-Key': `first-${id}` }),
      [201],
      'request',
    );
    const did = requested.body.id as string;
    const approved = await this.command('approve', 'disbursements', 'POST', `/disbursements/${did}/approve`, approver, {});
    if (approved.status !== 200) await this.waitForDisbursement(did, ['APPROVED', 'RELEASED']);
    const released = await this.command('release', 'disbursements', 'POST', `/disbursements/${did}/release`, approver, { paymentReference: `PAY-${did.slice(0, 8)}` });
    if (released.status !== 200) await this.waitForDisbursement(did, ['RELEASED']);
    return did;
  }

  private async waitForDisbursement(id: string, statuses: string[]): Promise<void> {
    await this.wait(async () => {
      const res = await this.call('disbursements', 'GET', `/disbursements/${id}`, this.tokens.approver);
      if (!statuses.includes(res.body?.status)) throw new Error(`disbursement ${id} is ${res.body?.status}`);
    });
  }

  async assess(id: string): Promise<void> {
    const { scheduler, reviewer } = this.tokens;
    await this.wait(async () => {
      const res = await this.call('assessments', 'GET', `/assessments/plans/${id}`, scheduler);
      if (res.status !== 200) throw new Error(`no plan for ${id} yet`);
    });
    const triggered = this.expect(
      await this.command('trigger', 'assessments', 'POST', '/assessments', scheduler, { programId: id, reason: 'Mid-term field visit requested by the mission' }),
      [201],
      'trigger',
    );
    const outcome = await this.command('outcome', 'assessments', 'POST', `/assessments/${triggered.body.id}/outcome`, reviewer, {
      outcome: 'CONTINUE',
      narrative: 'Placements are on track and the cohort is engaged.',
      indicatorResults: [{ indicator: INDICATOR, value: 140 }],
    });
    if (outcome.status !== 200) {
      await this.wait(async () => {
        const res = await this.call('assessments', 'GET', `/assessments/${triggered.body.id}`, reviewer);
        if (res.body?.status !== 'COMPLETED') throw new Error('outcome not recorded yet');
      });
    }
  }

  /** The whole life of program i; returns its id. */
  async run(i: number): Promise<string> {
    const id = await this.createAndSubmit(i);
    await this.approveReview(id);
    await this.disburse(id);
    await this.assess(id);
    return id;
  }
}
