// cluster-key-slot (the slot function ioredis itself uses) ships no types: the one call here.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0 to 16383) of a key, its hash tag honoured. */
  function calculateSlot(key: string): number;
  export = calculateSlot;
}
