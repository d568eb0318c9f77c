/** Worker thread entry: verifies the segment in workerData and posts its ChainSegment. */
import { parentPort, workerData } from 'node:worker_threads';
import { verifySegment, type SegmentTask } from './verify-segment.js';

parentPort!.postMessage(await verifySegment(workerData as SegmentTask));
