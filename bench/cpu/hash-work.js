// The CPU-bound work of the bench's hashing case: SHA-256 over a 4 KiB block until `ms` of
// wall time passed, so every library's handler holds its thread for the same time whatever
// its speed. CommonJS on purpose: BullMQ's sandboxed processor loads it in a worker thread,
// where no TypeScript loader runs; the TypeScript subjects require it too.
/* global require, module, Buffer, performance */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by plain Node in BullMQ's worker threads */
'use strict';
const { createHash } = require('crypto');

const BLOCK = Buffer.alloc(4096, 7);

/** Hashes for `ms` milliseconds; returns how many blocks it hashed. */
function hashFor(ms) {
  const until = performance.now() + ms;
  const hash = createHash('sha256');
  let blocks = 0;
  while (performance.now() < until) {
    hash.update(BLOCK);
    blocks++;
  }
  hash.digest();
  return blocks;
}

module.exports = { hashFor };
