/** Signs the current ledger head, so a later rewrite or truncation of the chain shows. */
export class TakeCheckpointCommand {}
