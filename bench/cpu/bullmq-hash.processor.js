// BullMQ's sandboxed processor for the hashing case, run in a worker thread
// (`useWorkerThreads`). The job's data says how long to hash.
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by plain Node in BullMQ's worker threads */
'use strict';
const { hashFor } = require('./hash-work');

module.exports = async function hash(job) {
  return hashFor(job.data.ms);
};
