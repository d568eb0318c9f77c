import 'reflect-metadata';
import { runService } from '#libs/platform';
import { assessmentsService } from './assessments.service.js';

await runService(assessmentsService);
