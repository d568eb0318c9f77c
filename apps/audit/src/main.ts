import 'reflect-metadata';
import { runService } from '#libs/platform';
import { auditService } from './audit.service.js';

await runService(auditService);
