import { randomFillSync } from 'crypto';

/**
 * 96 random bits as 16 URL-safe characters: as unique as a UUID for this purpose, and 20 bytes
 * shorter in every key, list entry and event that carries it.
 */
export function randomTaskId(): string {
  if (idBytesUsed === ID_POOL_BYTES) {
    randomFillSync(idPool);
    idBytesUsed = 0;
  }
  idBytesUsed += ID_BYTES;
  return idPool.toString('base64url', idBytesUsed - ID_BYTES, idBytesUsed);
}

const ID_BYTES = 12;
/** Random bytes drawn 256 ids at a time: one call to the CSPRNG per id cost ~1 µs each. */
const ID_POOL_BYTES = ID_BYTES * 256;
const idPool = Buffer.alloc(ID_POOL_BYTES);
let idBytesUsed = ID_POOL_BYTES;
