import { join } from 'path';

/**
 * Arguments for `process.execPath` that run one of test/support's TypeScript scripts in a child
 * Node process (worker-process.ts, enqueue-process.ts, producer-process.ts), transpiled through
 * the test run's shared cache (cached-transpile.js).
 */
export function supportScript(name: string, ...args: (string | number)[]): string[] {
  return ['-r', join(__dirname, 'cached-transpile.js'), join(__dirname, name), ...args.map(String)];
}
