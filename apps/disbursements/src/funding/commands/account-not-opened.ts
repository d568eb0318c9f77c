import { OutOfOrderEventError } from '#libs/messaging';

/** An event about a program whose program.approved has not been applied here yet: retry it later. */
export const accountNotOpened = (programId: string) => () =>
  new OutOfOrderEventError(`the funding account of program ${programId} is not open yet`);
