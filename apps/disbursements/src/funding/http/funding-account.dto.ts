import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '#libs/common';
import { FUNDING_ACCOUNT_STATUSES, HOLD_REASONS } from '#libs/contracts';

export class ListFundingAccountsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FUNDING_ACCOUNT_STATUSES }) @IsOptional() @IsIn(FUNDING_ACCOUNT_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: HOLD_REASONS, description: 'accounts holding this reason' }) @IsOptional() @IsIn(HOLD_REASONS) hold?: string;
}
