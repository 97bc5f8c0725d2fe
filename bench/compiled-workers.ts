import { execFileSync } from 'child_process';
import { cpSync, rmSync } from 'fs';
import { join } from 'path';

const ROOT = join(__dirname, '..');
let compiled: string | undefined;

/**
 * worker-process.js compiled with lib/ into node_modules/.cache (where `require` still finds
 * the project's packages), so that the worker processes of both libraries run on plain `node`:
 * under ts-node each would also carry the TypeScript compiler, and taskmill its transpiled
 * sources, in the peak RSS the case reports. Compiled once per run.
 */
export function compiledWorkerScript(): string {
  if (!compiled) {
    const outDir = join(ROOT, 'node_modules', '.cache', 'taskmill-bench');
    rmSync(outDir, { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        join(ROOT, 'tsconfig.bench.json'),
        '--outDir',
        outDir,
      ],
      { stdio: 'inherit' },
    );
    // Lua scripts are read from disk next to the compiled broker.
    cpSync(join(ROOT, 'lib', 'broker', 'scripts'), join(outDir, 'lib', 'broker', 'scripts'), {
      recursive: true,
      filter: (path) => !path.endsWith('.ts'),
    });
    compiled = join(outDir, 'bench', 'worker-process.js');
  }
  return compiled;
}
