import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  Scope,
  UseInterceptors,
} from '@nestjs/common';
import { ContextId, ContextIdFactory, ContextIdStrategy, HostComponentInfo } from '@nestjs/core';
import { map, Observable } from 'rxjs';
import { OnTaskStart, Task, TASK_REF, TaskContext, taskContext } from '../../lib';
import { failureOf } from '../support/failures';
import { createTestApp, TestApp } from '../support/test-app';

let built = 0;

/** One per process. */
@Injectable()
class Clock {
  readonly serial = ++built;
}

/** One per run: knows its run through TASK_REF. */
@Injectable({ scope: Scope.REQUEST })
class RunState {
  readonly serial = ++built;
  started = false;
  constructor(@Inject(TASK_REF) readonly task: TaskContext) {}
}

/** Cannot be built for a run's first attempt. */
@Injectable({ scope: Scope.REQUEST })
class Fragile {
  constructor(@Inject(TASK_REF) task: TaskContext) {
    if (task.attempt === 1) throw new Error('no database yet');
  }
}

@Injectable({ scope: Scope.REQUEST })
class AlwaysBroken {
  constructor() {
    throw new Error('misconfigured');
  }
}

class Tag implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(map((value) => ({ tagged: value })));
  }
}

/** Request-scoped through its dependency: built per run, with its interceptor. */
@Injectable()
@UseInterceptors(Tag)
class ScopedJobs {
  constructor(
    private readonly state: RunState,
    private readonly clock: Clock,
  ) {}

  @OnTaskStart('scopes.describe')
  markStarted(): void {
    this.state.started = true;
  }

  @Task({ name: 'scopes.describe' })
  describe(): { state: number; clock: number; taskId: string; started: boolean } {
    const { serial, task, started } = this.state;
    return { state: serial, clock: this.clock.serial, taskId: task.id, started };
  }
}

@Injectable()
class FragileJobs {
  constructor(readonly fragile: Fragile) {}

  @Task({ name: 'scopes.fragile', retries: 1, backoff: 0 })
  run(): string {
    return `built on attempt ${taskContext().attempt}`;
  }
}

@Injectable()
class BrokenJobs {
  constructor(readonly broken: AlwaysBroken) {}

  @Task({ name: 'scopes.broken', retries: 0 })
  run(): string {
    return 'never';
  }
}

/** Shared by the runs of one tenant (see TenantStrategy). */
@Injectable({ scope: Scope.REQUEST, durable: true })
class TenantCache {
  readonly serial = ++built;
}

@Injectable()
class TenantJobs {
  constructor(private readonly cache: TenantCache) {}

  @Task({ name: 'scopes.tenant' })
  cacheSerial(): number {
    return this.cache.serial;
  }
}

/** Durable trees per `metadata.tenant` of the task: the strategy sees the run's TaskContext. */
class TenantStrategy implements ContextIdStrategy {
  private readonly tenants = new Map<unknown, ContextId>();

  attach(contextId: ContextId, request: unknown) {
    const tenant = (request as TaskContext).metadata?.tenant;
    let tenantId = this.tenants.get(tenant);
    if (!tenantId) this.tenants.set(tenant, (tenantId = ContextIdFactory.create()));
    const shared = tenantId;
    return (info: HostComponentInfo) => (info.isTreeDurable ? shared : contextId);
  }
}

describe('request-scoped providers in tasks', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await createTestApp([
        ScopedJobs,
        RunState,
        Clock,
        FragileJobs,
        Fragile,
        BrokenJobs,
        AlwaysBroken,
      ])),
  );
  afterAll(() => t.close());

  it('builds a request-scoped dependency per run, shares singletons, and injects the run context', async () => {
    const [first, second] = await Promise.all([
      t.queue.enqueue('scopes.describe', []),
      t.queue.enqueue('scopes.describe', []),
    ]);
    type Described = { tagged: { state: number; clock: number; taskId: string; started: boolean } };
    const a = (await first.result({ timeout: 5000 })) as Described;
    const b = (await second.result({ timeout: 5000 })) as Described;
    expect(a.tagged.state).not.toBe(b.tagged.state);
    expect(a.tagged.clock).toBe(b.tagged.clock);
    expect([a.tagged.taskId, b.tagged.taskId]).toEqual([first.id, second.id]);
    // The start hook ran on the run's own instance.
    expect([a.tagged.started, b.tagged.started]).toEqual([true, true]);
  });

  it('fails the attempt whose provider cannot be built, naming task and provider, then retries', async () => {
    const handle = await t.queue.enqueue('scopes.fragile', []);
    await expect(handle.result({ timeout: 5000 })).resolves.toBe('built on attempt 2');
    const retry = (await handle.history()).find((entry) => entry.status === 'retrying');
    expect(retry?.error?.name).toBe('ScopedProviderError');
    expect(retry?.error?.message).toContain('"scopes.fragile"');
    expect(retry?.error?.message).toContain('FragileJobs');
    expect(retry?.error?.message).toContain('no database yet');
  });

  it('keeps the worker running after a provider that never builds', async () => {
    const failure = await failureOf(await t.queue.enqueue('scopes.broken', []));
    expect(failure.remoteName).toBe('ScopedProviderError');
    expect(failure.remoteMessage).toContain('misconfigured');
    const next = await t.queue.enqueue('scopes.describe', []);
    await expect(next.result({ timeout: 5000 })).resolves.toMatchObject({
      tagged: { taskId: next.id },
    });
  });
});

describe('durable providers in tasks', () => {
  let t: TestApp;
  beforeAll(async () => {
    ContextIdFactory.apply(new TenantStrategy());
    t = await createTestApp([TenantJobs, TenantCache]);
  });
  afterAll(async () => {
    await t.close();
    ContextIdFactory.apply({ attach: () => undefined });
  });

  it("shares a durable provider between one tenant's runs, as an app's ContextIdStrategy says", async () => {
    const run = async (tenant: string) => {
      const handle = await t.queue.enqueue('scopes.tenant', [], { metadata: { tenant } });
      return handle.result({ timeout: 5000 });
    };
    const acme = [await run('acme'), await run('acme')];
    const globex = await run('globex');
    expect(acme[0]).toBe(acme[1]);
    expect(globex).not.toBe(acme[0]);
  });
});
