import { readFileSync } from 'fs';
import { Injectable } from '@nestjs/common';
import { Task } from '../../lib';
import { createTestApp } from '../support/test-app';

/** Set for each Jest project in jest.config.js: the Nest major its tests must run on. */
declare const TASKMILL_NEST_MAJOR: number;

function installedMajor(name: string): number {
  const { version } = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
    version: string;
  };
  return Number(version.split('.')[0]);
}

@Injectable()
class Doubler {
  @Task('double')
  async double(value: number): Promise<number> {
    return value * 2;
  }
}

describe('Nest majors', () => {
  it('loads the Nest packages of its Jest project, so the e2e tests really cover that major', () => {
    expect([11, 12]).toContain(TASKMILL_NEST_MAJOR);
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/testing']) {
      expect(installedMajor(name)).toBe(TASKMILL_NEST_MAJOR);
    }
  });

  it('finds @Task handlers and runs them on this major', async () => {
    const app = await createTestApp([Doubler]);
    try {
      const handle = await app.queue.enqueue(Doubler, 'double', [21]);
      await expect(handle.result({ timeout: 5000 })).resolves.toBe(42);
    } finally {
      await app.close();
    }
  });
});
