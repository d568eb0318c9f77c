import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '#libs/common';
import { FundingRepository } from '../persistence/funding.repository.js';
import { fundingAccountView } from './funding-account.view.js';

@ApiTags('funding-accounts')
@ApiBearerAuth()
@Controller('funding-accounts')
export class FundingAccountsController {
  constructor(private readonly funding: FundingRepository) {}

  @Get(':programId')
  async get(@Param('programId', UuidParam('programId')) programId: string) {
    const state = await this.funding.getAccount(programId);
    // Only a held account reads the listings: the common read stays one statement.
    const restricting = state.restrictingPartyIds?.length ? await this.funding.listedParties(state.restrictingPartyIds) : [];
    return fundingAccountView(state, restricting);
  }
}
