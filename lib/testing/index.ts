/** Helpers for tests and demos: `import { startRedis, waitUntilIdle } from 'taskmill/testing'`. */
export {
  startRedis,
  startPrivateRedis,
  PrivateRedis,
  PrivateRedisOptions,
  RedisServerUnavailableError,
} from './private-redis';
export { waitUntilIdle, WaitUntilIdleOptions } from './wait-until-idle';
export { IdleTimeoutError } from './idle-timeout.error';
