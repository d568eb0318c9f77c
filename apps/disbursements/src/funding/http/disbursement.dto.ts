import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { NotBlank, PageQueryDto } from '#libs/common';
import { DISBURSEMENT_STATUSES } from '#libs/contracts';

/** $1 trillion: far above any budget, far below where integer cents lose precision. */
const MAX_CENTS = 100_000_000_000_000;

export class RequestDisbursementDto {
  @ApiProperty({ format: 'uuid', example: '0192f0c4-7d2a-7c3e-9b1a-2f4d5e6a7b8c' }) @IsUUID() programId: string;
  @ApiProperty({ example: 12_500_000, description: 'US cents, a positive whole number', minimum: 1, maximum: MAX_CENTS })
  @IsInt() @Min(1) @Max(MAX_CENTS)
  amountCents: number;
  @ApiProperty({ example: 'First tranche: vocational training centre equipment' }) @IsString() @NotBlank() @Length(3, 1000) purpose: string;
}

export class ApproveDisbursementDto {
  @ApiPropertyOptional({ example: 'Invoices checked against the work plan' }) @IsOptional() @IsString() @MaxLength(2000)
  comment?: string;
}

/** Rejection and cancellation both need a reason the requester can act on. */
export class ReasonDto {
  @ApiProperty({ example: 'Invoices missing for the second quarter' }) @IsString() @NotBlank() @Length(3, 2000) reason: string;
}

export class ReleaseDisbursementDto {
  @ApiProperty({ example: 'WIRE-2027-000123' }) @IsString() @NotBlank() @Length(1, 100) paymentReference: string;
}

export class ListDisbursementsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() programId?: string;
  @ApiPropertyOptional({ enum: DISBURSEMENT_STATUSES }) @IsOptional() @IsIn(DISBURSEMENT_STATUSES) status?: string;
}
