import { execFile } from 'child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { testRedisUrl, uniquePrefix } from '../support/redis';

/**
 * The package as a user gets it: `npm pack`, then a plain `npm install` (no flags) of the tarball
 * into a fresh app for each Nest major, which is compiled with that app's kind of tsconfig and
 * run: it boots, enqueues, and prints the result. A peer range that leaves a major out fails the
 * install (ERESOLVE); a file missing from `files`, or a wrong `exports`/`types` entry, fails the
 * compile or the boot.
 */

const repository = join(__dirname, '..', '..');
const tsc = join(repository, 'node_modules', 'typescript', 'bin', 'tsc');

interface ScratchApp {
  nest: number;
  dependencies: Record<string, string>;
  compilerOptions: Record<string, unknown>;
  /** How the app connects: a URL (taskmill makes the clients) or its own ioredis client. */
  connect: 'url' | 'client';
  /** The ioredis major taskmill must end up using: the app's own where it has one. */
  ioredisMajor: number;
}

const apps: ScratchApp[] = [
  {
    // A new Nest 12 app: no ioredis of its own; `module: nodenext` as new projects have.
    nest: 12,
    dependencies: { '@nestjs/common': '^12.0.0', '@nestjs/core': '^12.0.0' },
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
    connect: 'url',
    ioredisMajor: 6,
  },
  {
    // A Nest 11 app that already uses ioredis 5 (BullMQ's users often do) and passes its client.
    nest: 11,
    dependencies: { '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0', ioredis: '^5.11.1' },
    compilerOptions: { module: 'commonjs' },
    connect: 'client',
    ioredisMajor: 5,
  },
];

/** npm passes its settings to scripts as npm_config_*; a plain install must not inherit them. */
function plainEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([name]) => !/^npm_/i.test(name) || /^npm_config_(cache|registry|userconfig)$/i.test(name),
  );
  return { ...Object.fromEntries(kept), ...extra };
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env = plainEnvironment(),
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

describe('the published package', () => {
  const folders: string[] = [];
  let tarball: string;

  beforeAll(async () => {
    const destination = mkdtempSync(join(tmpdir(), 'taskmill-pack-'));
    folders.push(destination);
    // prepack builds dist/ first, so the tarball holds what the sources say today.
    await run('npm', ['pack', '--pack-destination', destination], repository);
    const [file] = readdirSync(destination).filter((name) => name.endsWith('.tgz'));
    tarball = join(destination, file);
  }, 120_000);

  afterAll(() => {
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it.each(apps)(
    'installs into a fresh Nest $nest app with a plain npm install, compiles, boots, runs a task and the taskmill command',
    async (app) => {
      const folder = mkdtempSync(join(tmpdir(), `taskmill-nest${app.nest}-app-`));
      folders.push(folder);
      writeJson(join(folder, 'package.json'), {
        name: `scratch-nest${app.nest}-app`,
        private: true,
        dependencies: {
          ...app.dependencies,
          'reflect-metadata': '^0.2.0',
          rxjs: '^7.8.0',
          taskmill: `file:${tarball}`,
        },
      });
      writeJson(join(folder, 'tsconfig.json'), {
        compilerOptions: {
          target: 'ES2022',
          strict: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          skipLibCheck: true,
          outDir: 'dist',
          typeRoots: [join(repository, 'node_modules', '@types')],
          types: ['node'],
          ...app.compilerOptions,
        },
        files: ['main.ts'],
      });
      copyFileSync(join(__dirname, 'scratch-app', 'main.ts'), join(folder, 'main.ts'));

      await run('npm', ['install'], folder);
      await run(process.execPath, [tsc, '-p', folder], folder);
      const output = await run(
        process.execPath,
        [join(folder, 'dist', 'main.js')],
        folder,
        plainEnvironment({ SCRATCH_CONNECT: app.connect }),
      );

      const report = JSON.parse(output.trim().split('\n').pop() ?? '') as Record<string, string>;
      expect(report.result).toBe('hello a packaged app');
      expect(Number(report.nest.split('.')[0])).toBe(app.nest);
      expect(Number(report.ioredisOfTaskmill.split('.')[0])).toBe(app.ioredisMajor);

      // The CLI as installed: npm links the shipped shim, which loads dist/ and the app's Nest.
      const bin = join(folder, 'node_modules', '.bin', 'taskmill');
      const flags = ['--redis', testRedisUrl(), '--prefix', uniquePrefix(), '--json'];
      expect(JSON.parse(await run(bin, ['queues', ...flags], folder))).toEqual([]);
    },
    300_000,
  );
});
