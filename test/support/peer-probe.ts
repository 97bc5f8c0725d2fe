/**
 * Run in a child process from a sandbox whose node_modules lacks some packages (see
 * sandboxWithout): boots an app with `argv[2]` switched on ('metrics', 'telemetry', 'health',
 * or 'none') and prints one JSON line saying how it went.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { MissingPeerDependencyError, QueueModule, TaskmillHealthIndicator } from '../../lib';

async function probe(feature: string): Promise<object> {
  const app = await Test.createTestingModule({
    imports: [
      QueueModule.forRoot({
        connection: process.env.TASKMILL_TEST_REDIS_URL,
        prefix: `probe-${process.pid}`,
        metrics: feature === 'metrics',
        telemetry: feature === 'telemetry',
        worker: { enabled: false },
      }),
    ],
  }).compile();
  await app.init();
  if (feature === 'health') await app.get(TaskmillHealthIndicator).isHealthy('taskmill');
  await app.close();
  return { outcome: 'started' };
}

probe(process.argv[2])
  .catch((error: Error) => ({
    outcome: 'threw',
    name: error.name,
    typed: error instanceof MissingPeerDependencyError,
    packageName: (error as MissingPeerDependencyError).packageName,
    message: error.message,
  }))
  // Whatever the app left open (a failed start keeps its connections): the answer is printed.
  .then((result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  });
