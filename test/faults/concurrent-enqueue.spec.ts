import { Injectable } from '@nestjs/common';
import { execFile } from 'child_process';
import { promisify } from 'util';
import { Task, taskContext } from '../../lib';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { childEnv, supportScript } from '../support/node-process';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp } from '../support/test-app';

@Injectable()
class Marker {
  constructor(private readonly ledger: RunLedger) {}

  @Task({ name: 'concurrent.mark', queue: 'concurrent' })
  async mark(): Promise<void> {
    const { id, attempt } = taskContext();
    await this.ledger.append(id, attempt);
  }
}

const PROCESSES = 4;
const PER_PROCESS = Number(process.env.TASKMILL_FAULT_ENQUEUES ?? 10_000) / PROCESSES;

/** Fault scenario 8: 10,000 concurrent enqueues from 4 processes: every id unique, all run. */
describe('concurrent enqueues from several processes', () => {
  it('gives every task a unique id and runs every one', async () => {
    const prefix = uniquePrefix();
    const ledger = new RunLedger(prefix);
    const worker = await createTestApp([Marker, { provide: RunLedger, useValue: ledger }], {
      prefix,
      worker: { concurrency: 100 },
      // The scenario is about ids and runs, not timeouts: on a loaded 2-core machine a read
      // behind 10,000 enqueues and 100 running tasks can wait longer than the default 5 s.
      commandTimeoutMs: 30_000,
    });
    try {
      const outputs = await Promise.all(
        Array.from({ length: PROCESSES }, () =>
          promisify(execFile)(
            process.execPath,
            supportScript('enqueue-process.ts', testRedisUrl(), prefix, PER_PROCESS),
            { timeout: 60_000, maxBuffer: 16 * 1024 * 1024, env: childEnv() },
          ),
        ),
      );
      const ids = outputs.flatMap(({ stdout }) => JSON.parse(stdout.trim()) as string[]);
      const measure = await finishFaultScenario({
        scenario: `8. ${ids.length.toLocaleString('en')} enqueues at once from ${PROCESSES} processes`,
        queue: worker.queue,
        ids,
        ledger,
        // How long the runs may take, not a measure: a machine shared with other test runs
        // (a cluster, a sentinel set) has processed the 10,000 in over a minute.
        timeoutMs: 100_000,
      });
      expect(ids).toHaveLength(PROCESSES * PER_PROCESS);
      expect(new Set(ids).size).toBe(ids.length);
      expectNothingLostOrDuplicated(measure);
    } finally {
      await worker.close();
      ledger.close();
    }
  }, 120_000);
});
