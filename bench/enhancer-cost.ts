// `npx ts-node --transpile-only bench/enhancer-cost.ts`: what binding a @Task handler to Nest's
// enhancers costs per call, without Redis. Each case calls the bound handler the way the worker
// does (inside a task context) and reports ns per call; the figures go to
// docs/nest-integration.md. Not part of `npm run bench`.
import 'reflect-metadata';
import {
  CallHandler,
  CanActivate,
  ExecutionContext,
  Injectable,
  Module,
  NestInterceptor,
  Scope,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, NestFactory } from '@nestjs/core';
import { performance } from 'perf_hooks';
import { Observable } from 'rxjs';
import { MethodBinder, TaskHandler } from '../lib/discovery/method-binder';
import { NestMethodBinder } from '../lib/enhancers/nest-method-binder';
import { TaskContextCreator } from '../lib/enhancers/task-context-creator';
import { RunScopes } from '../lib/scopes/run-scopes';
import { runInTaskContext, TaskContext } from '../lib/worker/task-context';

class PassThrough implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

class Allow implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Injectable()
class Jobs {
  add(a: number, b: number): number {
    return a + b;
  }

  @UseInterceptors(PassThrough)
  intercepted(a: number, b: number): number {
    return a + b;
  }

  @UseGuards(Allow)
  guarded(a: number, b: number): number {
    return a + b;
  }
}

@Injectable({ scope: Scope.REQUEST })
class ScopedJobs {
  add(a: number, b: number): number {
    return a + b;
  }
}

@Module({
  imports: [DiscoveryModule],
  providers: [Jobs, ScopedJobs, TaskContextCreator, RunScopes, NestMethodBinder],
})
class BenchModule {}

/** A new context per call, as each run has its own. */
function context(): TaskContext {
  return { id: 'bench', name: 'bench', queue: 'default', attempt: 1 } as TaskContext;
}

async function measure(label: string, handler: TaskHandler, calls: number): Promise<void> {
  const call = () => runInTaskContext({ taskContext: context }, () => handler(1, 2));
  for (let i = 0; i < calls / 10; i++) await call(); // warm-up
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  const nsPerCall = ((performance.now() - started) * 1e6) / calls;
  console.log(`${label.padEnd(44)} ${nsPerCall.toFixed(0).padStart(7)} ns/call`);
}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const binder: MethodBinder = app.get(NestMethodBinder);
  const wrappers = app.get(DiscoveryService).getProviders();
  const bind = (token: unknown, methodName: string) => {
    const wrapper = wrappers.find((w) => w.token === token)!;
    const instance = wrapper.instance as object;
    return binder.taskHandler({ wrapper, instance, methodName, source: methodName }, methodName);
  };
  const jobs = app.get(Jobs);
  const calls = Number(process.env.CALLS ?? 200_000);
  console.log(`node ${process.version}, ${calls} calls per case`);
  await measure(
    'direct method call (before: no binder)',
    (...args) => jobs.add(...(args as [number, number])),
    calls,
  );
  await measure('no enhancer (binder keeps the plain call)', bind(Jobs, 'add'), calls);
  await measure('one interceptor (ExternalContextCreator)', bind(Jobs, 'intercepted'), calls);
  await measure('one guard (ExternalContextCreator)', bind(Jobs, 'guarded'), calls);
  await measure('request-scoped provider (instance per run)', bind(ScopedJobs, 'add'), calls / 10);
  await app.close();
}

void main();
