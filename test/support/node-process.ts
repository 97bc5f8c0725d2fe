import { join } from 'path';

/**
 * Arguments for `process.execPath` that run one of test/support's TypeScript scripts in a child
 * Node process (worker-process.ts, enqueue-process.ts, producer-process.ts).
 */
export function supportScript(name: string, ...args: (string | number)[]): string[] {
  return ['-r', 'ts-node/register/transpile-only', join(__dirname, name), ...args.map(String)];
}
