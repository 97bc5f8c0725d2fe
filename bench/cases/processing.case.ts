import { BenchCase, prefill, sized } from './bench-case';

function processing(concurrency: number, keepResult: boolean): BenchCase {
  const results = keepResult ? 'results kept' : 'results discarded';
  return {
    metrics: [
      {
        key: 'rate',
        label: `process pre-filled tasks, concurrency ${concurrency}, ${results}`,
        unit: 'tasks/s',
        better: 'higher',
      },
    ],
    async run(subject, context) {
      const count = sized(context, 50_000, 2_000);
      await prefill(subject, count, keepResult);
      const worker = await subject.startWorker({ concurrency, keepResults: keepResult });
      const startedAt = performance.now();
      await worker.begin();
      await worker.completed(count);
      const seconds = (performance.now() - startedAt) / 1000;
      await worker.stop();
      return { rate: count / seconds };
    },
  };
}

/** Case 2: processing throughput at concurrency 1, 10, 100, results kept and discarded. */
export const processingCases: BenchCase[] = [1, 10, 100].flatMap((concurrency) => [
  processing(concurrency, true),
  processing(concurrency, false),
]);
