import {
  CanActivate,
  DynamicModule,
  INestApplication,
  Injectable,
  ModuleMetadata,
} from '@nestjs/common';
import { AbstractHttpAdapter } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AddressInfo } from 'net';
import {
  NonRetryableError,
  QueueModule,
  QueueModuleOptions,
  QueueService,
  Task,
  taskContext,
  TaskmillDashboardModule,
  TaskmillDashboardOptions,
} from '../../lib';
import { redisFunctionsInTests, testRedisUrl, uniquePrefix } from './redis';

/** An access guard the test opens and closes. */
@Injectable()
export class SwitchGuard implements CanActivate {
  static open = true;
  canActivate(): boolean {
    return SwitchGuard.open;
  }
}

/** What the dashboard's tasks do: fail while `failing`, wait for `release()` when told. */
export class TaskControl {
  failing = true;
  private releases: (() => void)[] = [];
  readonly started: string[] = [];

  release(): void {
    for (const release of this.releases.splice(0)) release();
  }

  hold(): Promise<void> {
    return new Promise((resolve) => this.releases.push(resolve));
  }
}

export const control = new TaskControl();

@Injectable()
export class DashboardTasks {
  @Task({ name: 'dash.echo', queue: 'dash-main' })
  echo(...args: unknown[]): unknown {
    return { echoed: args };
  }

  /** Fails with the message it is given (retries: 0, so it goes to the dead letters at once). */
  @Task({ name: 'dash.fail', queue: 'dash-dead', retries: 0 })
  fail(message: string): string {
    if (control.failing) throw new NonRetryableError(message);
    return 'recovered';
  }

  /** Reports progress, then waits until the test releases it. */
  @Task({ name: 'dash.slow', queue: 'dash-slow' })
  async slow(step: string): Promise<string> {
    const context = taskContext();
    control.started.push(context.id);
    await context.progress({ step, percent: 10 });
    await control.hold();
    return 'done';
  }
}

/** QueueModule on the private test Redis, under a prefix of its own unless given. */
export function testQueueModule(options: QueueModuleOptions = {}): DynamicModule {
  return QueueModule.forRoot({
    connection: testRedisUrl(),
    redisFunctions: redisFunctionsInTests(),
    prefix: uniquePrefix(),
    ...options,
  });
}

export interface DashboardApp {
  app: INestApplication;
  queue: QueueService;
  prefix: string;
  /** e.g. http://127.0.0.1:39123 */
  origin: string;
  /** origin + the dashboard's path */
  url: string;
  close(): Promise<void>;
}

/**
 * A real Nest HTTP app (Express unless an adapter is given) on a free port, with QueueModule on
 * the test Redis, the dashboard, and the tasks above.
 */
export async function startDashboardApp(
  dashboard: Partial<TaskmillDashboardOptions> = {},
  adapter?: AbstractHttpAdapter,
  providers: ModuleMetadata['providers'] = [DashboardTasks],
): Promise<DashboardApp> {
  const prefix = uniquePrefix();
  const options = { path: '/taskmill', access: SwitchGuard, ...dashboard };
  const moduleRef = await Test.createTestingModule({
    imports: [
      testQueueModule({ prefix }),
      TaskmillDashboardModule.forRoot(options as TaskmillDashboardOptions),
    ],
    providers,
  }).compile();
  const app = adapter
    ? moduleRef.createNestApplication(adapter)
    : moduleRef.createNestApplication();
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    app,
    queue: app.get(QueueService),
    prefix,
    origin,
    url: `${origin}${options.path === '/' ? '' : options.path}`,
    close: () => app.close(),
  };
}
