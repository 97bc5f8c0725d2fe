import { join } from 'path';

/**
 * Arguments for `process.execPath` that run one of test/support's TypeScript scripts in a child
 * Node process (worker-process.ts, enqueue-process.ts, producer-process.ts), transpiled through
 * the test run's shared cache (cached-transpile.js). A child inherits the test's environment,
 * so its app takes the test's key layout (keyLayoutInTests: TASKMILL_TEST_KEY_LAYOUT) and
 * shares the keys of the apps the test runs itself.
 */
export function supportScript(name: string, ...args: (string | number)[]): string[] {
  return ['-r', join(__dirname, 'cached-transpile.js'), join(__dirname, name), ...args.map(String)];
}
