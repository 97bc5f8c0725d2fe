import { Inject, Injectable } from '@nestjs/common';
import type * as Terminus from '@nestjs/terminus';
import { RESOLVED_OPTIONS } from '../../constants';
import { ResolvedModuleOptions } from '../../options/module.options';
import { QueueService } from '../../queue/queue.service';
import { RedisConnections } from '../../redis/redis-connections';
import { checkDuration, checkKnownKeys, checkName, checkObject } from '../../validation/checks';
import { InvalidOptionsError } from '../../errors';
import { WorkerService } from '../../worker/worker.service';
import { loadPeer } from '../optional-peer';
import { longestWait, redisTime } from './health-probe';
import { TaskmillHealthOptions, TaskmillHealthResult } from './health-options';

const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * A health indicator for `@nestjs/terminus` (an optional peer, loaded on the first check):
 * up when Redis answers, the worker runs (where it is enabled), and — with `maxLagMs` — no
 * ready task has waited longer than that.
 * @example
 * ＠Get('health')
 * ＠HealthCheck()
 * check() {
 *   return this.health.check([() => this.taskmill.isHealthy('taskmill', { maxLagMs: 60_000 })]);
 * }
 */
@Injectable()
export class TaskmillHealthIndicator {
  private indicators?: Terminus.HealthIndicatorService;

  constructor(
    @Inject(RESOLVED_OPTIONS) private readonly options: ResolvedModuleOptions,
    private readonly connections: RedisConnections,
    private readonly worker: WorkerService,
    private readonly queue: QueueService,
  ) {}

  /** Never rejects for a sick system: it reports `down` with the reason. */
  async isHealthy<K extends string>(
    key: K,
    options: TaskmillHealthOptions = {},
  ): Promise<TaskmillHealthResult<K>> {
    const { maxLagMs, queues, timeoutMs } = checkHealthOptions(options);
    const session = this.terminus().check(key);
    let now: number;
    try {
      now = await redisTime(this.connections.command, timeoutMs);
    } catch (error) {
      return session.down({ redis: 'down', message: (error as Error).message });
    }
    const worker = this.workerState();
    if (worker === 'stopped') {
      return session.down({ redis: 'up', worker, message: 'the worker is not running' });
    }
    if (maxLagMs === undefined) return session.up({ redis: 'up', worker });
    let worst: Awaited<ReturnType<typeof longestWait>>;
    try {
      worst = await longestWait(this.queue, now, queues);
    } catch (error) {
      return session.down({ redis: 'up', worker, message: (error as Error).message });
    }
    const lagMs = worst?.lagMs ?? 0;
    if (worst && lagMs > maxLagMs) {
      return session.down({
        redis: 'up',
        worker,
        lagMs,
        queue: worst.queue,
        message: `a ready task of queue "${worst.queue}" has waited ${lagMs} ms (maxLagMs: ${maxLagMs})`,
      });
    }
    return session.up({ redis: 'up', worker, lagMs });
  }

  /** 'disabled' (a producer app), 'idle' (no @Task to run), 'running' or 'stopped'. */
  private workerState(): 'disabled' | 'idle' | 'running' | 'stopped' {
    if (!this.options.worker.enabled) return 'disabled';
    if (this.worker.running) return 'running';
    return this.worker.queues().length === 0 ? 'idle' : 'stopped';
  }

  private terminus(): Terminus.HealthIndicatorService {
    if (!this.indicators) {
      const { HealthIndicatorService } = loadPeer<typeof Terminus>(
        '@nestjs/terminus',
        'TaskmillHealthIndicator',
      );
      this.indicators = new HealthIndicatorService();
    }
    return this.indicators;
  }
}

function checkHealthOptions(raw: unknown): {
  maxLagMs: number | undefined;
  queues: string[] | undefined;
  timeoutMs: number;
} {
  const options = checkObject(raw, 'isHealthy options');
  checkKnownKeys(options, ['maxLagMs', 'queues', 'timeoutMs'], '');
  const { maxLagMs, queues, timeoutMs } = options;
  if (queues !== undefined && !Array.isArray(queues)) {
    throw new InvalidOptionsError('queues', 'must be an array of queue names');
  }
  return {
    maxLagMs: maxLagMs === undefined ? undefined : checkDuration(maxLagMs, 'maxLagMs'),
    queues: queues?.map((queue: unknown, i: number) => checkName(queue, `queues[${i}]`)),
    timeoutMs:
      timeoutMs === undefined
        ? DEFAULT_TIMEOUT_MS
        : checkDuration(timeoutMs, 'timeoutMs', { min: 1 }),
  };
}
