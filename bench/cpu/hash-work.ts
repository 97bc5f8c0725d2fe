// The typed face of hash-work.js (one implementation for every library, see there).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, shared with BullMQ's sandbox
const work = require('./hash-work.js') as { hashFor(ms: number): number };

/** SHA-256 over a 4 KiB block until `ms` of wall time passed; returns the blocks hashed. */
export const hashFor = work.hashFor;
