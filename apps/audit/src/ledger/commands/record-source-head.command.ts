import type { SourceHead } from '#libs/contracts';

/** Keeps the highest head a source has reported; the result says whether it moved. */
export class RecordSourceHeadCommand {
  constructor(readonly head: SourceHead) {}
}
