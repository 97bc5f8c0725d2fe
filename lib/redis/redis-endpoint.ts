import type { Redis, RedisOptions } from 'ioredis';

/**
 * Where a connection points and what taskmill uses it for, for error messages and logs:
 * `10.0.0.5:6390 (command connection)`, `10.0.0.5:6390 (connection "taskmill:consumer")`.
 * Built from the parsed options, never from the URL, so a password or username never appears.
 */
export function describeRedis(redis: Redis): string {
  const options: RedisOptions = redis.options ?? {};
  const role = options.connectionName
    ? `connection "${options.connectionName}"`
    : 'command connection';
  return `${address(options)} (${role})`;
}

function address(options: RedisOptions): string {
  if (options.sentinels?.length) {
    const sentinels = options.sentinels.map((s) => hostPort(s.host, s.port)).join(', ');
    return `master "${options.name ?? 'mymaster'}" via sentinels ${sentinels}`;
  }
  if (options.path) return options.path;
  return hostPort(options.host, options.port);
}

function hostPort(host = 'localhost', port = 6379): string {
  // An IPv6 address needs brackets, or its port reads as one more group.
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
