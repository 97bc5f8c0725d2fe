import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type * as OtelApi from '@opentelemetry/api';
import { Subscription } from 'rxjs';
import { ClaimedTask } from '../../broker/claimed-task';
import { NewTask } from '../../broker/new-task';
import { RESOLVED_OPTIONS } from '../../constants';
import { WorkerEvent } from '../../core/worker-event';
import { ResolvedModuleOptions } from '../../options/module.options';
import { EnqueueWrappers } from '../../queue/enqueue-wrappers';
import { RunWrappers } from '../../worker/run-wrappers';
import { WorkerService } from '../../worker/worker.service';
import { guarded } from '../guarded';
import { loadPeer } from '../optional-peer';
import { recordOutcome } from './run-outcome';
import { ATTR, messagingAttributes, PROCESS, SEND } from './span-attributes';
import { fromTraceparent, toTraceparent } from './traceparent';

/**
 * OpenTelemetry traces (`telemetry` module option). An enqueue made inside a trace gets a
 * PRODUCER span, whose context is stored with the task (in the same enqueue call); each run of
 * the task, on any worker, gets a CONSUMER span under it, active while the handler runs and
 * marked with the run's outcome. Does nothing, and loads nothing, when telemetry is off.
 */
@Injectable()
export class TaskTracing implements OnModuleDestroy {
  private readonly api?: typeof OtelApi;
  /** The runs in progress here, by `id:attempt`, until their outcome event. */
  private readonly spans = new Map<string, OtelApi.Span>();
  private subscription?: Subscription;
  /** Runs telemetry's own steps, logging what throws instead of failing the caller. */
  private readonly safely = guarded('telemetry', (step: () => void) => step());

  constructor(
    @Inject(RESOLVED_OPTIONS) options: ResolvedModuleOptions,
    worker: WorkerService,
    enqueues: EnqueueWrappers,
    runs: RunWrappers,
  ) {
    if (!options.telemetry) return;
    this.api = loadPeer<typeof OtelApi>('@opentelemetry/api', 'telemetry: true');
    enqueues.use((tasks, write) => this.traceEnqueue(tasks, write));
    runs.add((task, run) => this.traceRun(task, run));
    this.subscription = worker.events$.subscribe((event) => this.safely(() => this.on(event)));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** Looked up on each use: the app may register its tracer provider after startup. */
  private tracer(api: typeof OtelApi): OtelApi.Tracer {
    return api.trace.getTracer('taskmill');
  }

  /**
   * One PRODUCER span per task, under the caller's active span; outside a trace, no span and
   * nothing stored. Spans that cannot be made (a throwing span processor) leave the enqueue
   * untraced, never failed.
   */
  private async traceEnqueue<R>(tasks: NewTask[], write: () => Promise<R>): Promise<R> {
    const api = this.api as typeof OtelApi;
    const parent = api.context.active();
    const caller = api.trace.getSpanContext(parent);
    if (!caller || !api.isSpanContextValid(caller)) return write();
    let spans: OtelApi.Span[] = [];
    this.safely(() => (spans = tasks.map((task) => this.sendSpan(api, parent, task))));
    if (spans.length !== tasks.length) {
      for (const task of tasks) task.trace = undefined;
      return write();
    }
    const end = (error?: unknown) =>
      this.safely(() => {
        for (const span of spans) {
          if (error !== undefined) fail(api, span, error);
          span.end();
        }
      });
    try {
      const written = await write();
      end();
      return written;
    } catch (error) {
      end(error);
      throw error;
    }
  }

  private sendSpan(api: typeof OtelApi, parent: OtelApi.Context, task: NewTask): OtelApi.Span {
    const span = this.tracer(api).startSpan(
      `${SEND} ${task.queue}`,
      {
        kind: api.SpanKind.PRODUCER,
        attributes: messagingAttributes(SEND, task),
      },
      parent,
    );
    task.trace = toTraceparent(span.spanContext());
    return span;
  }

  /** The run inside a CONSUMER span, child of the enqueue's span when the task carries one. */
  private async traceRun(task: ClaimedTask, run: () => Promise<void>): Promise<void> {
    const api = this.api as typeof OtelApi;
    const remote = task.trace ? fromTraceparent(task.trace) : undefined;
    const parent = remote ? api.trace.setSpanContext(api.ROOT_CONTEXT, remote) : api.ROOT_CONTEXT;
    let span: OtelApi.Span | undefined;
    this.safely(() => (span = this.processSpan(api, parent, task)));
    if (!span) return run();
    const key = `${task.id}:${task.attempt}`;
    this.spans.set(key, span);
    try {
      await api.context.with(api.trace.setSpan(parent, span), run);
    } finally {
      this.spans.delete(key);
      this.safely(() => span?.end());
    }
  }

  private processSpan(
    api: typeof OtelApi,
    parent: OtelApi.Context,
    task: ClaimedTask,
  ): OtelApi.Span {
    return this.tracer(api).startSpan(
      `${PROCESS} ${task.queue}`,
      {
        kind: api.SpanKind.CONSUMER,
        attributes: { ...messagingAttributes(PROCESS, task), [ATTR.attempt]: task.attempt },
      },
      parent,
    );
  }

  /** A run's outcome, on its span (the event comes while the run is still in progress). */
  private on(event: WorkerEvent): void {
    if (!('task' in event) || event.type === 'task.started') return;
    const span = this.spans.get(`${event.task.id}:${event.task.attempt}`);
    if (span) recordOutcome(this.api as typeof OtelApi, span, event);
  }
}

function fail(api: typeof OtelApi, span: OtelApi.Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: String(error) });
}
