import 'reflect-metadata';
import { runService } from '#libs/platform';
import { reviewsService } from './reviews.service.js';

await runService(reviewsService);
