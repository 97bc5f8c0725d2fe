import 'reflect-metadata';
import { readFileSync } from 'fs';
import { join } from 'path';
import { reportError } from './error-report';
import { exitCodeOf } from './exit-codes';
import { buildProgram } from './program';

/** The package's version, from its package.json (two folders up, in lib/ and in dist/lib/). */
function packageVersion(): string {
  for (const up of ['../..', '../../..']) {
    try {
      const manifest = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8'));
      if (manifest.name === 'taskmill') return String(manifest.version);
    } catch {
      // not this folder
    }
  }
  return 'unknown';
}

/** Runs one command line; resolves with its exit code (docs/cli.md, "Exit codes"). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram(packageVersion()).parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    reportError(error);
    return exitCodeOf(error);
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
