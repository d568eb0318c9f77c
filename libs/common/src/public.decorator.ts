import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'cuentas:public';
/** Open endpoint: health, metrics and docs need no token (API.md). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
