import { execFile } from 'child_process';
import { rmSync } from 'fs';
import { join } from 'path';
import { promisify } from 'util';
import { childEnv } from '../support/node-process';
import { sandboxWithout } from '../support/sandbox-without';

const run = promisify(execFile);
const PEERS = ['prom-client', '@opentelemetry/api', '@nestjs/terminus'];

/** Boots an app with `feature` on in a child process that cannot load any of the peers. */
async function probe(dir: string, feature: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    [
      '-r',
      join(dir, 'test', 'support', 'cached-transpile.js'),
      join(dir, 'test', 'support', 'peer-probe.ts'),
      feature,
    ],
    { cwd: dir, env: childEnv(), timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

describe('optional peers that are not installed', () => {
  let dir: string;
  beforeAll(() => (dir = sandboxWithout(PEERS)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts an app that uses none of them, loading none', async () => {
    expect(await probe(dir, 'none')).toEqual({ outcome: 'started' });
  });

  it.each([
    ['metrics', 'prom-client', 'metrics: true'],
    ['telemetry', '@opentelemetry/api', 'telemetry: true'],
    ['health', '@nestjs/terminus', 'TaskmillHealthIndicator'],
  ])('%s: fails with MissingPeerDependencyError naming %s', async (feature, pkg, what) => {
    const result = await probe(dir, feature);
    expect(result).toMatchObject({
      outcome: 'threw',
      name: 'MissingPeerDependencyError',
      typed: true,
      packageName: pkg,
    });
    expect(result.message).toContain(`npm install ${pkg}`);
    expect(result.message).toContain(what);
  });
});
