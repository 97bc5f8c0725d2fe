import { Injectable } from '@nestjs/common';
import { Task, taskContext } from '../../lib';
import { sleepUnlessAborted } from '../support/abortable-sleep';
import { expectNothingLostOrDuplicated, finishFaultScenario } from '../support/fault-scenario';
import { Ledger } from '../support/ledger';
import { uniquePrefix } from '../support/redis';
import { RunLedger } from '../support/run-ledger';
import { createTestApp } from '../support/test-app';

const IN_FLIGHT = 50;
const WAITING = 10;
const NAP_MS = 2000;

const started = new Ledger<string>();

@Injectable()
class Napper {
  constructor(private readonly ledger: RunLedger) {}

  @Task({ name: 'fault.nap', queue: 'naps' })
  async nap(ms: number): Promise<void> {
    const { id, attempt, signal } = taskContext();
    started.add(id);
    await sleepUnlessAborted(ms, signal);
    await this.ledger.append(id, attempt);
  }
}

/** Fault scenario 9: a graceful shutdown whose shutdownTimeoutMs is shorter than the tasks. */
describe('a shutdown that cannot wait for its tasks', () => {
  it(`loses none of ${IN_FLIGHT} in-flight tasks when shutdownTimeoutMs is shorter than they are`, async () => {
    const prefix = uniquePrefix();
    const ledger = new RunLedger(prefix);
    const providers = [Napper, { provide: RunLedger, useValue: ledger }];
    const first = await createTestApp(providers, {
      prefix,
      worker: { concurrency: IN_FLIGHT, shutdownTimeoutMs: 50 },
    });
    const handles = await first.queue.enqueueMany(
      Array.from({ length: IN_FLIGHT + WAITING }, () => ({
        task: 'fault.nap',
        args: [NAP_MS],
        options: { queue: 'naps' },
      })),
    );
    await started.until(IN_FLIGHT);
    await first.close();
    const closedAt = Date.now();
    expect(await ledger.runsById()).toEqual(new Map());

    const second = await createTestApp(providers, {
      prefix,
      worker: { concurrency: IN_FLIGHT + WAITING },
    });
    const ids = handles.map((h) => h.id);
    const measure = await finishFaultScenario({
      scenario: `9. shutdown with ${IN_FLIGHT} running, shutdownTimeoutMs 50`,
      queue: second.queue,
      ids,
      ledger,
      faultAt: closedAt,
    });
    expectNothingLostOrDuplicated(measure);
    // The handed-back runs ran again as attempt 2; the waiting tasks ran once, as attempt 1.
    const attempts = (await Promise.all(ids.map((id) => second.queue.handle(id).status()))).map(
      (s) => s.attempt,
    );
    expect(attempts.filter((attempt) => attempt === 2)).toHaveLength(IN_FLIGHT);
    expect(attempts.filter((attempt) => attempt === 1)).toHaveLength(WAITING);
    await second.close();
    ledger.close();
  }, 60_000);
});
