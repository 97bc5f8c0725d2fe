/** Helpers for tests and demos: `import { startPrivateRedis } from 'taskmill/testing'`. */
export {
  startPrivateRedis,
  PrivateRedis,
  PrivateRedisOptions,
  RedisServerUnavailableError,
} from './private-redis';
