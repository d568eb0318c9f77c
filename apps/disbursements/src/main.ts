import 'reflect-metadata';
import { runService } from '#libs/platform';
import { disbursementsService } from './disbursements.service.js';

await runService(disbursementsService);
