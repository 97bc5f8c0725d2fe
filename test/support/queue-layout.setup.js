// Setup of the Jest project that runs the end-to-end tests again in the 'queue' key layout (a
// hash slot per queue shard): test apps, test brokers and the processes tests start read it.
/* global process */
process.env.TASKMILL_TEST_KEY_LAYOUT = 'queue';
