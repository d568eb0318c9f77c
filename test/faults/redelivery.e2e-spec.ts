import fc from 'fast-check';
import type { Job } from 'bullmq';
import { v7 as uuidv7 } from 'uuid';
import type { EventEnvelope, EventPayloads, EventType } from '#libs/contracts';
import { upcomingProgramDates } from '#libs/testing';
import { DisbursementsEventsProcessor } from '../../apps/disbursements/src/funding/events/disbursements-events.processor.js';
import { TestSystem } from '../support/test-system.js';
import { people } from '../support/fixtures.js';

type Step = 'suspend' | 'reinstate' | 'overdue' | 'continue' | 'strengthen' | 'adjust' | 'list' | 'unlist';
type Draft = { type: EventType; source: 'proposals' | 'assessments' | 'reviews'; payload: Record<string, unknown>; version: number };

/**
 * A causally valid history of what proposals, assessments and reviews tell disbursements about one
 * program. Assessment ids are fixed by the steps, so two programs given the same steps get the same
 * ids; the partner (and so the restricted parties that match it) is each program's own.
 */
function history(steps: Step[], end: 'closed' | 'discontinued' | null): (programId: string) => Draft[] {
  return (programId) => {
    const drafts: Draft[] = [];
    let version = 3;
    let suspended = false;
    let point = 0;
    let open: string | null = null;
    let awaited: string | null = null;
    const partner = `Fundación ${programId}`;
    const listed: string[] = [];
    const add = (type: EventType, source: Draft['source'], payload: Record<string, unknown>) =>
      drafts.push({ type, source, payload: { programId, ...payload }, version: source === 'proposals' ? ++version : 1 });
    const reference = (type: 'reference.restricted-party-added' | 'reference.restricted-party-removed', partyId: string) =>
      drafts.push({
        type,
        source: 'reviews',
        version: type === 'reference.restricted-party-added' ? 1 : 2,
        // Listed under the partner's name written another way: it matches as reviews would match it.
        payload: { partyId, name: partner.toUpperCase().replace('Ó', 'O'), registrationId: null, reason: 'Listed in the property test', source: 'test' },
      });
    drafts.push({
      type: 'program.approved',
      source: 'proposals',
      version,
      payload: {
        programId, reviewId: uuidv7(), budgetCents: 500_000, ...upcomingProgramDates(364),
        assessmentCadenceDays: 90, indicators: ['Youth placed in jobs'], country: 'GT', pillar: 'I', title: 'Property program',
        createdBy: 'gm-ana', partnerName: partner,
      },
    });
    const completed = (outcome: string) => {
      const assessmentId = awaited ?? open ?? `00000000-0000-7000-8000-${String(++point).padStart(12, '0')}`;
      const followUp = outcome === 'ADJUST' ? `00000000-0000-7000-9000-${String(++point).padStart(12, '0')}` : null;
      add('assessment.completed', 'assessments', {
        assessmentId, outcome, narrative: 'Progress reviewed at the point', indicatorResults: [], requiredActions: [], followUpAssessmentId: followUp,
      });
      if (assessmentId === open) open = null;
      awaited = followUp;
    };
    for (const step of steps) {
      if (step === 'suspend' && !suspended) {
        suspended = true;
        add('program.suspended', 'proposals', { reason: 'Site visit found irregularities' });
      } else if (step === 'reinstate' && suspended) {
        suspended = false;
        add('program.reinstated', 'proposals', { reason: 'Irregularities resolved' });
      } else if (step === 'overdue' && !open) {
        open = `00000000-0000-7000-8000-${String(++point).padStart(12, '0')}`;
        add('assessment.overdue', 'assessments', { assessmentId: open, dueAt: new Date().toISOString() });
      } else if (step === 'continue' || step === 'strengthen' || step === 'adjust') {
        completed(step.toUpperCase());
      } else if (step === 'list') {
        listed.push(uuidv7());
        reference('reference.restricted-party-added', listed[listed.length - 1]);
      } else if (step === 'unlist' && listed.length > 0) {
        reference('reference.restricted-party-removed', listed.shift()!);
      }
    }
    if (end === 'closed') add('program.closed', 'proposals', { reason: 'Program completed its work' });
    if (end === 'discontinued') add('program.discontinued', 'proposals', { reason: 'Discontinued at assessment', assessmentId: null });
    return drafts;
  };
}

function envelopes(drafts: Draft[], programId: string): EventEnvelope[] {
  return drafts.map((d, i) => ({
    eventId: uuidv7(),
    type: d.type,
    version: 1,
    source: d.source,
    sourceSeq: i + 1,
    aggregateType: { proposals: 'program', assessments: 'assessment', reviews: 'restricted-party' }[d.source],
    aggregateId: d.source === 'proposals' ? programId : String(d.payload.assessmentId ?? d.payload.partyId),
    aggregateVersion: d.version,
    occurredAt: new Date().toISOString(),
    actor: { id: 'system:test', roles: ['system'] },
    correlationId: `property-${programId}`,
    causationId: null,
    payload: d.payload as EventPayloads[EventType],
  }));
}

describe('redelivery: every event 2 to 5 times, in shuffled order', () => {
  let sys: TestSystem;
  let processor: DisbursementsEventsProcessor;
  beforeAll(async () => {
    sys = await TestSystem.start({ services: ['disbursements'] });
    processor = sys.app('disbursements').get(DisbursementsEventsProcessor);
  });
  afterAll(() => sys?.stop());

  const deliver = (e: EventEnvelope) => processor.process({ data: e, name: e.type } as unknown as Job);

  /** Delivers in the given order; a delivery that fails (it arrived too early) goes to the back, as a retry would. */
  async function deliverAll(deliveries: EventEnvelope[]): Promise<void> {
    const queue = [...deliveries];
    for (let tries = 0; queue.length > 0; tries += 1) {
      if (tries > deliveries.length * 20) throw new Error('deliveries never settled');
      const next = queue.shift()!;
      await deliver(next).catch(() => queue.push(next));
    }
  }

  async function finalState(programId: string) {
    const res = await sys.http('disbursements').get(`/funding-accounts/${programId}`).set(sys.auth(people.auditor)).expect(200);
    const { holds, status, budgetCents, reservedCents, releasedCents, availableCents, overdueAssessmentIds, restrictingParties } = res.body;
    // Party ids are each program's own: how many restrict it is what must agree.
    return { holds, status, budgetCents, reservedCents, releasedCents, availableCents, overdueAssessmentIds, restricting: restrictingParties.length };
  }

  it('ends in the same state as one clean delivery', async () => {
    const steps = fc.array(fc.constantFrom<Step>('suspend', 'reinstate', 'overdue', 'continue', 'strengthen', 'adjust', 'list', 'unlist'), { maxLength: 10 });
    const end = fc.constantFrom<'closed' | 'discontinued' | null>(null, null, 'closed', 'discontinued');
    await fc.assert(
      fc.asyncProperty(steps, end, fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 20, maxLength: 20 }), fc.infiniteStream(fc.double({ noNaN: true })), async (s, e, copies, keys) => {
        const make = history(s, e);
        const cleanId = uuidv7();
        await deliverAll(envelopes(make(cleanId), cleanId));

        const noisyId = uuidv7();
        const events = envelopes(make(noisyId), noisyId);
        const repeated = events.flatMap((ev, i) => Array.from({ length: copies[i % copies.length] }, () => ev));
        const order = keys.take(repeated.length);
        const shuffled = repeated
          .map((ev) => ({ ev, k: order.next().value as number }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.ev);
        await deliverAll(shuffled);

        expect(await finalState(noisyId)).toEqual(await finalState(cleanId));
        const inbox = await sys.query<{ n: string }>(`SELECT count(*) AS n FROM disbursements.inbox WHERE event_id = ANY($1::uuid[])`, [
          events.map((ev) => ev.eventId),
        ]);
        expect(Number(inbox[0].n)).toBe(events.length);
      }),
      { numRuns: 25 },
    );
  }, 180_000);
});
