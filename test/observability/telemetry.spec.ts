import { Injectable } from '@nestjs/common';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { QueueService, Task, TaskFailedError, taskCall } from '../../lib';
import { TASK_FIELDS } from '../../lib/broker/keys';
import { rawRedis, uniquePrefix } from '../support/redis';
import { taskKey } from '../support/task-keys';
import { createTestApp, TestApp } from '../support/test-app';
import { nextOutcomes, OBS_QUEUE, ObservedTasks } from './workload';

/** A span processor that throws while `broken` is set: telemetry must not break the worker. */
class BreakableProcessor implements SpanProcessor {
  broken = false;
  onStart(): void {
    if (this.broken) throw new Error('span processor broke on start');
  }
  onEnd(): void {
    if (this.broken) throw new Error('span processor broke on end');
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}

@Injectable()
class TracedTasks {
  constructor(private readonly queue: QueueService) {}

  /** Enqueues a task of its own from inside its run: that enqueue is under the run's span. */
  @Task({ name: 'obs.parent', queue: OBS_QUEUE })
  async parent(): Promise<string> {
    const child = await this.queue.enqueue(ObservedTasks, 'ok', [4]);
    return child.id;
  }

  /** Makes a span of its own: it must be a child of the run's span. */
  @Task({ name: 'obs.query', queue: OBS_QUEUE })
  async query(): Promise<string> {
    trace.getTracer('app').startActiveSpan('db.query', (span) => span.end());
    return 'rows';
  }
}

const exporter = new InMemorySpanExporter();
const breakable = new BreakableProcessor();
const provider = new BasicTracerProvider({
  spanProcessors: [breakable, new SimpleSpanProcessor(exporter)],
});
const contextManager = new AsyncLocalStorageContextManager();

/** Resolves once `count` finished spans match; the worker ends a run's span after its outcome. */
async function spansWhen(match: (span: ReadableSpan) => boolean, count: number) {
  for (let i = 0; i < 500; i++) {
    const found = exporter.getFinishedSpans().filter(match);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} matching spans after 10 s`);
}

/** The messaging attributes a span of obs.flaky must carry, spelled out as the spec names them. */
function messaging(operation: string, id: string) {
  return {
    'messaging.system': 'taskmill',
    'messaging.destination.name': OBS_QUEUE,
    'messaging.message.id': id,
    'messaging.operation.name': operation,
    'messaging.operation.type': operation,
    'taskmill.task.name': 'obs.flaky',
  };
}

const ofTask = (id: string) => (span: ReadableSpan) =>
  span.attributes['messaging.message.id'] === id;

describe('telemetry (OpenTelemetry)', () => {
  let producer: TestApp;
  let worker: TestApp;

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    trace.setGlobalTracerProvider(provider);
    const prefix = uniquePrefix();
    // Two apps as in production: an HTTP app that only enqueues (by class and method, which
    // routes each task to its declared queue), and a worker.
    producer = await createTestApp([], { prefix, telemetry: true, worker: { enabled: false } });
    worker = await createTestApp([ObservedTasks, TracedTasks], {
      prefix,
      telemetry: true,
      worker: { queues: [OBS_QUEUE] },
    });
  });
  afterAll(async () => {
    await worker.close();
    await producer.close();
    trace.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  it('links the request, the enqueue and every run attempt across two apps', async () => {
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    const outcomes = nextOutcomes(worker.worker.events$, 2);
    const handle = await context.with(trace.setSpan(context.active(), request), () =>
      producer.queue.enqueue(ObservedTasks, 'flaky'),
    );
    request.end();
    await expect(handle.result({ timeout: 10_000 })).resolves.toBe('second attempt');
    await outcomes;

    const [send] = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.PRODUCER, 1);
    const runs = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.CONSUMER, 2);
    const traceId = request.spanContext().traceId;

    expect(send.name).toBe(`send ${OBS_QUEUE}`);
    expect(send.spanContext().traceId).toBe(traceId);
    expect(send.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(send.attributes).toMatchObject(messaging('send', handle.id));

    const byAttempt = [...runs].sort(
      (a, b) =>
        Number(a.attributes['taskmill.task.attempt']) -
        Number(b.attributes['taskmill.task.attempt']),
    );
    for (const [i, run] of byAttempt.entries()) {
      expect(run.name).toBe(`process ${OBS_QUEUE}`);
      expect(run.spanContext().traceId).toBe(traceId);
      expect(run.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(run.attributes).toMatchObject({
        ...messaging('process', handle.id),
        'taskmill.task.attempt': i + 1,
      });
    }
    // The first attempt failed and was retried: recorded on its span.
    const [retried, succeeded] = byAttempt;
    expect(retried.status.code).toBe(SpanStatusCode.ERROR);
    expect(retried.attributes['taskmill.task.outcome']).toBe('retrying');
    expect(retried.attributes['taskmill.retry.delay_ms']).toBe(10);
    const exception = retried.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('first attempt fails');
    expect(succeeded.status.code).toBe(SpanStatusCode.UNSET);
    expect(succeeded.attributes['taskmill.task.outcome']).toBe('succeeded');
  });

  it('marks a failed run ERROR with its exception', async () => {
    const outcomes = nextOutcomes(worker.worker.events$, 1);
    const handle = await trace
      .getTracer('test')
      .startActiveSpan('job', (span) =>
        producer.queue.enqueue(ObservedTasks, 'bad').finally(() => span.end()),
      );
    await expect(handle.result({ timeout: 10_000 })).rejects.toBeInstanceOf(TaskFailedError);
    await outcomes;
    const [run] = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.CONSUMER, 1);
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    expect(run.status.message).toBe('NonRetryableError: bad on purpose');
    expect(run.attributes['taskmill.task.outcome']).toBe('failed');
    const exception = run.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.type']).toBe('NonRetryableError');
  });

  it("makes the run's span active in the handler: the handler's spans are its children", async () => {
    const handle = await trace
      .getTracer('test')
      .startActiveSpan('job', (span) =>
        producer.queue.enqueue(TracedTasks, 'query').finally(() => span.end()),
      );
    await handle.result({ timeout: 10_000 });
    const [run] = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.CONSUMER, 1);
    const [query] = await spansWhen((s) => s.name === 'db.query', 1);
    expect(query.parentSpanContext?.spanId).toBe(run.spanContext().spanId);
    expect(query.spanContext().traceId).toBe(run.spanContext().traceId);
  });

  it("traces a task enqueued from a handler under its parent run's span", async () => {
    const parent = await trace
      .getTracer('test')
      .startActiveSpan('job', (span) =>
        producer.queue.enqueue(TracedTasks, 'parent').finally(() => span.end()),
      );
    const childId = (await parent.result({ timeout: 10_000 })) as string;
    await producer.queue.handle(childId).result({ timeout: 10_000 });
    const [parentRun] = await spansWhen(
      (s) => ofTask(parent.id)(s) && s.kind === SpanKind.CONSUMER,
      1,
    );
    const [childSend] = await spansWhen(
      (s) => ofTask(childId)(s) && s.kind === SpanKind.PRODUCER,
      1,
    );
    const [childRun] = await spansWhen(
      (s) => ofTask(childId)(s) && s.kind === SpanKind.CONSUMER,
      1,
    );
    expect(childSend.parentSpanContext?.spanId).toBe(parentRun.spanContext().spanId);
    expect(childRun.parentSpanContext?.spanId).toBe(childSend.spanContext().spanId);
    expect(childRun.spanContext().traceId).toBe(parentRun.spanContext().traceId);
  });

  it("traces a chain's steps and a chord's parts and callback, each under its own send span", async () => {
    const request = trace.getTracer('test').startSpan('POST /reports');
    const inRequest = <T>(fn: () => Promise<T>) =>
      context.with(trace.setSpan(context.active(), request), fn);
    const chain = await inRequest(() =>
      producer.queue.chain([
        taskCall(ObservedTasks, 'ok', [1]),
        taskCall(ObservedTasks, 'ok', [2]),
      ]),
    );
    const chord = await inRequest(() =>
      producer.queue.chord(
        [taskCall(ObservedTasks, 'ok', [3]), taskCall(ObservedTasks, 'ok', [4])],
        taskCall(ObservedTasks, 'ok', [5]),
      ),
    );
    request.end();
    await chain.result({ timeout: 10_000 });
    await chord.result({ timeout: 10_000 });
    const ids = [...chain.steps, ...chord.parts, chord.callback].map((h) => h.id);
    expect(ids).toHaveLength(5);
    for (const id of ids) {
      const [send] = await spansWhen((s) => ofTask(id)(s) && s.kind === SpanKind.PRODUCER, 1);
      const [run] = await spansWhen((s) => ofTask(id)(s) && s.kind === SpanKind.CONSUMER, 1);
      expect(send.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
      expect(run.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(run.spanContext().traceId).toBe(request.spanContext().traceId);
    }
  });

  it("stores a grouped task's group and its trace side by side; the run is traced under the enqueue", async () => {
    const handle = await trace
      .getTracer('test')
      .startActiveSpan('job', (span) =>
        producer.queue
          .enqueue(ObservedTasks, 'ok', [2], { group: 'tenant-a' })
          .finally(() => span.end()),
      );
    await handle.result({ timeout: 10_000 });
    const [send] = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.PRODUCER, 1);
    const [run] = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.CONSUMER, 1);
    expect(run.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
    const redis = rawRedis();
    try {
      const [group, stored] = await redis.hmget(
        taskKey(producer, OBS_QUEUE, handle.id),
        TASK_FIELDS.group,
        TASK_FIELDS.trace,
      );
      expect(group).toBe('tenant-a');
      expect(stored).toContain(send.spanContext().spanId);
    } finally {
      redis.disconnect();
    }
  });

  it('stores nothing with a task enqueued outside a trace; its run span is a root', async () => {
    const handle = await producer.queue.enqueue(ObservedTasks, 'ok', [1]);
    await handle.result({ timeout: 10_000 });
    const redis = rawRedis();
    try {
      const stored = await redis.hget(taskKey(producer, OBS_QUEUE, handle.id), TASK_FIELDS.trace);
      expect(stored).toBeNull();
    } finally {
      redis.disconnect();
    }
    const [run] = await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.CONSUMER, 1);
    expect(run.parentSpanContext).toBeUndefined();
    expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER)).toEqual([]);
  });

  it('stores nothing when telemetry is off, even inside a trace', async () => {
    const plain = await createTestApp([], { prefix: producer.prefix, worker: { enabled: false } });
    const redis = rawRedis();
    try {
      const handle = await trace
        .getTracer('test')
        .startActiveSpan('job', (span) =>
          plain.queue.enqueue(ObservedTasks, 'ok', [3]).finally(() => span.end()),
        );
      await handle.result({ timeout: 10_000 });
      expect(await redis.hget(taskKey(plain, OBS_QUEUE, handle.id), TASK_FIELDS.trace)).toBeNull();
      const sends = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER);
      expect(sends).toEqual([]);
    } finally {
      redis.disconnect();
      await plain.close();
    }
  });

  it('keeps the worker running when a span processor throws', async () => {
    // The caller's span is made while the processor is well; then every span start and end
    // throws: in the enqueue (producer spans) and around the runs (consumer spans).
    const job = trace.getTracer('test').startSpan('job');
    breakable.broken = true;
    try {
      const handles = await context.with(trace.setSpan(context.active(), job), () =>
        Promise.all([1, 2, 3].map((n) => producer.queue.enqueue(ObservedTasks, 'ok', [n]))),
      );
      const results = await Promise.all(handles.map((h) => h.result({ timeout: 10_000 })));
      expect(results).toEqual([2, 4, 6]);
      expect(worker.worker.running).toBe(true);
    } finally {
      breakable.broken = false;
      job.end();
    }
    // And traces again once the processor is well.
    const handle = await producer.queue.enqueue(ObservedTasks, 'ok', [5]);
    await expect(handle.result({ timeout: 10_000 })).resolves.toBe(10);
    await spansWhen((s) => ofTask(handle.id)(s) && s.kind === SpanKind.CONSUMER, 1);
  });
});
