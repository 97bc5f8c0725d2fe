import type { Type } from '@nestjs/common';
import { QueueModuleOptions, QueueService } from '../../lib';
import { FaultMeasure, finishFaultScenario } from './fault-scenario';
import { RunLedger } from './run-ledger';
import { ProducerTally, steadyProducer } from './steady-producer';
import { createTestApp, TestApp } from './test-app';

export interface LoadMeasure {
  tally: ProducerTally;
  measure: FaultMeasure;
}

/**
 * Stops a steady producer, waits for the end of every task it got acknowledged, records the
 * scenario's figures and logs what the fault cost: the measurement every failover spec makes.
 * `refusals` replaces the producer's own list of refusal kinds in the log; `detail` is added.
 */
export async function measureLoad(
  load: ReturnType<typeof steadyProducer>,
  run: {
    scenario: string;
    queue: QueueService;
    ledger: RunLedger;
    faultAt: number;
    timeoutMs?: number;
    refusals?: string;
    detail?: string;
  },
): Promise<LoadMeasure> {
  const tally = await load.stop();
  const { scenario, queue, ledger, faultAt, timeoutMs } = run;
  const ids = tally.acknowledged.entries;
  const measure = await finishFaultScenario({ scenario, queue, ids, ledger, faultAt, timeoutMs });
  const refusals = run.refusals ?? ([...tally.refusals].join(' | ') || 'none');
  console.log(
    `${scenario}: ${ids.length} acknowledged, ${measure.lost.length} lost, ` +
      `${measure.pending.length} unfinished at the end of the wait, ${tally.refused} enqueues ` +
      `refused (${refusals}), ${measure.rerun.length} ran twice` +
      (run.detail ? `; ${run.detail}` : ''),
  );
  return { tally, measure };
}

/**
 * The two apps of a failover spec, on the same options: a worker running `handlers` (with the
 * run ledger injected) and a producer that only enqueues.
 */
export async function workerAndProducer(
  handlers: Type,
  ledger: RunLedger,
  options: QueueModuleOptions,
): Promise<{ worker: TestApp; producer: TestApp }> {
  const worker = await createTestApp([handlers, { provide: RunLedger, useValue: ledger }], options);
  const producer = await createTestApp([], { ...options, worker: { enabled: false } });
  return { worker, producer };
}
