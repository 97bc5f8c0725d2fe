import { join } from 'path';

/**
 * Arguments for `process.execPath` that run one of test/support's TypeScript scripts in a child
 * Node process (worker-process.ts, enqueue-process.ts, producer-process.ts), transpiled through
 * the test run's shared cache (cached-transpile.js). Start it with `{ env: childEnv() }`.
 */
export function supportScript(name: string, ...args: (string | number)[]): string[] {
  return ['-r', join(__dirname, 'cached-transpile.js'), join(__dirname, name), ...args.map(String)];
}

/**
 * The environment for a child process: the test's, so that the child's app takes the test's key
 * layout (keyLayoutInTests: TASKMILL_TEST_KEY_LAYOUT) and shares the keys of the apps the test
 * runs itself. Passed explicitly because a Jest project's setup file sets the variable in the
 * test's copy of process.env, which child_process (Node's own module) does not read.
 */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}
