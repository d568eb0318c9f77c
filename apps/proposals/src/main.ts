import 'reflect-metadata';
import { runService } from '#libs/platform';
import { proposalsService } from './proposals.service.js';

await runService(proposalsService);
