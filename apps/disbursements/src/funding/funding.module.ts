import { Module } from '@nestjs/common';
import { ApplyProgramStandingHandler } from './commands/apply-program-standing.handler.js';
import { ApproveDisbursementHandler } from './commands/approve-disbursement.handler.js';
import { CancelDisbursementHandler } from './commands/cancel-disbursement.handler.js';
import { ApplyThresholdHandler } from './commands/apply-threshold.handler.js';
import { ClearPartnerHandler } from './commands/clear-partner.handler.js';
import { CloseFundingAccountHandler } from './commands/close-funding-account.handler.js';
import { MarkAssessmentOverdueHandler } from './commands/mark-assessment-overdue.handler.js';
import { OpenFundingAccountHandler } from './commands/open-funding-account.handler.js';
import { RecordAssessmentOutcomeHandler } from './commands/record-assessment-outcome.handler.js';
import { RejectDisbursementHandler } from './commands/reject-disbursement.handler.js';
import { ReleaseDisbursementHandler } from './commands/release-disbursement.handler.js';
import { RequestDisbursementHandler } from './commands/request-disbursement.handler.js';
import { RestrictPartnerHandler } from './commands/restrict-partner.handler.js';
import { DisbursementsEventsProcessor } from './events/disbursements-events.processor.js';
import { DisbursementsController } from './http/disbursements.controller.js';
import { FundingAccountsController } from './http/funding-accounts.controller.js';
import { FundingRepository } from './persistence/funding.repository.js';

@Module({
  controllers: [FundingAccountsController, DisbursementsController],
  providers: [
    FundingRepository,
    OpenFundingAccountHandler,
    ApplyProgramStandingHandler,
    MarkAssessmentOverdueHandler,
    RecordAssessmentOutcomeHandler,
    CloseFundingAccountHandler,
    RestrictPartnerHandler,
    ClearPartnerHandler,
    ApplyThresholdHandler,
    RequestDisbursementHandler,
    ApproveDisbursementHandler,
    RejectDisbursementHandler,
    ReleaseDisbursementHandler,
    CancelDisbursementHandler,
    DisbursementsEventsProcessor,
  ],
})
export class FundingModule {}
