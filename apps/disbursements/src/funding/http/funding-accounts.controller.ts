import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { UuidParam } from '#libs/common';
import { FundingRepository } from '../persistence/funding.repository.js';
import { ListFundingAccountsQueryDto } from './funding-account.dto.js';
import { fundingAccountView } from './funding-account.view.js';

@ApiTags('funding-accounts')
@ApiBearerAuth()
@Controller('funding-accounts')
export class FundingAccountsController {
  constructor(private readonly funding: FundingRepository) {}

  /** Every account in one read, for a portfolio's money (the console's overview) rather than one read per program. */
  @Get()
  async list(@Query() query: ListFundingAccountsQueryDto) {
    const page = await this.funding.listAccounts(query);
    // The parties behind PARTNER_RESTRICTED holds on the whole page, in one statement if any.
    const ids = [...new Set(page.items.flatMap((state) => state.restrictingPartyIds ?? []))];
    const parties = ids.length ? await this.funding.listedParties(ids) : [];
    return { ...page, items: page.items.map((state) => fundingAccountView(state, parties.filter((p) => state.restrictingPartyIds?.includes(p.partyId)))) };
  }

  @Get(':programId')
  async get(@Param('programId', UuidParam('programId')) programId: string) {
    const state = await this.funding.getAccount(programId);
    // Only a held account reads the listings: the common read stays one statement.
    const restricting = state.restrictingPartyIds?.length ? await this.funding.listedParties(state.restrictingPartyIds) : [];
    return fundingAccountView(state, restricting);
  }
}
