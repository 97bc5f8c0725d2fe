import { Injectable } from '@nestjs/common';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { Task } from '../../lib';
import { Ledger } from '../support/ledger';
import { supportScript } from '../support/node-process';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { createTestApp } from '../support/test-app';

const marks = new Ledger<string>();

@Injectable()
class Marker {
  @Task({ name: 'concurrent.mark', queue: 'concurrent' })
  async mark(label: string): Promise<void> {
    marks.add(label);
  }
}

const PROCESSES = 4;
const PER_PROCESS = Number(process.env.TASKMILL_FAULT_ENQUEUES ?? 10_000) / PROCESSES;

/** Fault: 10,000 concurrent enqueues from 4 processes: every id unique, every task runs. */
describe('concurrent enqueues from several processes', () => {
  it('gives every task a unique id and runs every one', async () => {
    const prefix = uniquePrefix();
    const worker = await createTestApp([Marker], { prefix, worker: { concurrency: 100 } });
    const outputs = await Promise.all(
      Array.from({ length: PROCESSES }, () =>
        promisify(execFile)(
          process.execPath,
          supportScript('enqueue-process.ts', testRedisUrl(), prefix, PER_PROCESS),
          { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
        ),
      ),
    );
    const ids = outputs.flatMap(({ stdout }) => JSON.parse(stdout.trim()) as string[]);
    expect(ids).toHaveLength(PROCESSES * PER_PROCESS);
    expect(new Set(ids).size).toBe(ids.length);
    await marks.until(ids.length);
    expect(new Set(marks.entries).size).toBe(ids.length);
    await worker.close();
  }, 120_000);
});
