import { Processor } from '@nestjs/bullmq';
import { eventQueueName } from '#libs/contracts';
import { ConsumerKit, EVENT_CONSUMER_CONCURRENCY, EventProcessor, workerOptions, type EventHandlers } from '#libs/messaging';
import { ApplyProgramStandingCommand } from '../commands/apply-program-standing.command.js';
import { ApplyThresholdCommand } from '../commands/apply-threshold.command.js';
import { ClearPartnerCommand } from '../commands/clear-partner.command.js';
import { CloseFundingAccountCommand } from '../commands/close-funding-account.command.js';
import { MarkAssessmentOverdueCommand } from '../commands/mark-assessment-overdue.command.js';
import { OpenFundingAccountCommand } from '../commands/open-funding-account.command.js';
import { RecordAssessmentOutcomeCommand } from '../commands/record-assessment-outcome.command.js';
import { RestrictPartnerCommand } from '../commands/restrict-partner.command.js';

@Processor(eventQueueName('disbursements'), workerOptions(EVENT_CONSUMER_CONCURRENCY))
export class DisbursementsEventsProcessor extends EventProcessor<'disbursements'> {
  protected readonly handlers: EventHandlers<'disbursements'> = {
    'program.approved': ({ payload: p }) =>
      new OpenFundingAccountCommand(p.programId, p.budgetCents, { name: p.partnerName, registrationId: p.partnerRegistrationId ?? null }),
    'program.suspended': ({ payload: p, aggregateVersion }) => new ApplyProgramStandingCommand(p.programId, true, aggregateVersion),
    'program.reinstated': ({ payload: p, aggregateVersion }) => new ApplyProgramStandingCommand(p.programId, false, aggregateVersion),
    'program.discontinued': ({ payload: p }) => new CloseFundingAccountCommand(p.programId, `Program discontinued: ${p.reason}`),
    'program.closed': ({ payload: p }) => new CloseFundingAccountCommand(p.programId, `Program closed: ${p.reason}`),
    'assessment.overdue': ({ payload: p }) => new MarkAssessmentOverdueCommand(p.programId, p.assessmentId),
    'assessment.completed': ({ payload: p }) => new RecordAssessmentOutcomeCommand(p.programId, p.assessmentId, p.outcome, p.followUpAssessmentId ?? null),
    'reference.restricted-party-added': ({ payload: { partyId, name, registrationId, reason, source } }) =>
      new RestrictPartnerCommand({ partyId, name, registrationId, reason, source }),
    'reference.restricted-party-removed': ({ payload: p }) => new ClearPartnerCommand(p.partyId),
    'reference.threshold-changed': ({ payload: p, aggregateVersion }) => new ApplyThresholdCommand(p.name, p.amountCents, aggregateVersion),
  };

  constructor(kit: ConsumerKit) {
    super('disbursements', kit);
  }
}
