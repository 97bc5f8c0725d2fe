/** Helpers for tests and demos: `import { startPrivateRedis, waitUntilIdle } from 'taskmill/testing'`. */
export {
  startPrivateRedis,
  PrivateRedis,
  PrivateRedisOptions,
  RedisServerUnavailableError,
} from './private-redis';
export { waitUntilIdle, WaitUntilIdleOptions } from './wait-until-idle';
export { IdleTimeoutError } from './idle-timeout.error';
