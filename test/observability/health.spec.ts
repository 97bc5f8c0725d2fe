import { Test, TestingModule } from '@nestjs/testing';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import {
  InvalidOptionsError,
  QueueModule,
  TaskmillHealthIndicator,
  WorkerService,
} from '../../lib';
import { PrivateRedis, startPrivateRedis } from '../../lib/testing/private-redis';
import { testRedisUrl, uniquePrefix } from '../support/redis';
import { OBS_QUEUE, ObservedTasks } from './workload';

async function healthApp(url: string): Promise<TestingModule> {
  const app = await Test.createTestingModule({
    imports: [
      TerminusModule,
      QueueModule.forRoot({
        connection: url,
        prefix: uniquePrefix(),
        worker: { queues: [OBS_QUEUE], shutdownTimeoutMs: 500 },
        commandTimeoutMs: 500,
      }),
    ],
    providers: [ObservedTasks],
  }).compile();
  await app.init();
  return app;
}

/** What HealthCheckService answers: its result, or the body of the 503 it throws when down. */
async function checkHealth(app: TestingModule, maxLagMs?: number) {
  const health = app.get(HealthCheckService);
  const taskmill = app.get(TaskmillHealthIndicator);
  try {
    return await health.check([() => taskmill.isHealthy('taskmill', { maxLagMs })]);
  } catch (error) {
    return (error as { getResponse(): unknown }).getResponse() as Awaited<
      ReturnType<HealthCheckService['check']>
    >;
  }
}

describe('TaskmillHealthIndicator (terminus)', () => {
  it('reports up, then down once its Redis is stopped', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    let app: TestingModule | undefined;
    try {
      app = await healthApp(redis.url);
      const up = await checkHealth(app);
      expect(up.status).toBe('ok');
      expect(up.details.taskmill).toMatchObject({ status: 'up', redis: 'up', worker: 'running' });

      await redis.stop();
      const down = await checkHealth(app);
      expect(down.status).toBe('error');
      expect(down.details.taskmill).toMatchObject({ status: 'down', redis: 'down' });
    } finally {
      await app?.close();
      await redis.stop();
    }
  });

  describe('on the shared test Redis', () => {
    let app: TestingModule;
    beforeAll(async () => (app = await healthApp(testRedisUrl())));
    afterAll(() => app.close());

    it('reports down when the worker is stopped, up again once it runs', async () => {
      const worker = app.get(WorkerService);
      await worker.stop();
      const down = await checkHealth(app);
      expect(down.details.taskmill).toMatchObject({ status: 'down', worker: 'stopped' });
      await worker.start();
      expect((await checkHealth(app)).details.taskmill).toMatchObject({ status: 'up' });
    });

    it('reports down on maxLagMs when a queue no worker consumes holds a ready task', async () => {
      const { QueueService } = await import('../../lib');
      await app.get(QueueService).enqueue('nobody.runs', [], { queue: 'obs-unworked' });
      expect((await checkHealth(app, 60_000)).details.taskmill).toMatchObject({ status: 'up' });
      // Causality, not timing: after this pause the task has waited more than 50 ms.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const down = await checkHealth(app, 50);
      expect(down.status).toBe('error');
      expect(down.details.taskmill).toMatchObject({ status: 'down', queue: 'obs-unworked' });
      expect(down.details.taskmill.lagMs as number).toBeGreaterThan(50);
    });

    it('refuses bad options with InvalidOptionsError', async () => {
      const taskmill = app.get(TaskmillHealthIndicator);
      await expect(taskmill.isHealthy('taskmill', { maxLagMs: -1 })).rejects.toBeInstanceOf(
        InvalidOptionsError,
      );
      await expect(
        taskmill.isHealthy('taskmill', { queues: 'obs' as never }),
      ).rejects.toBeInstanceOf(InvalidOptionsError);
      await expect(taskmill.isHealthy('taskmill', { maxlag: 5 } as never)).rejects.toBeInstanceOf(
        InvalidOptionsError,
      );
    });
  });
});
