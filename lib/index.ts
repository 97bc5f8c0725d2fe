// The public API of taskmill. Everything else under lib/ is internal.
export { QueueModule } from './module/queue.module';
export { TaskmillDashboardModule } from './dashboard/dashboard.module';
export { TaskmillDashboardOptions, DashboardAccess } from './dashboard/dashboard.options';
export { Task } from './decorators/task.decorator';
export {
  OnTaskSubmit,
  OnTaskStart,
  OnTaskSuccess,
  OnTaskRetry,
  OnTaskFailure,
  OnTaskCancel,
} from './hooks/hook.decorators';
export { HookKind } from './core/hook-kind';
export {
  TaskHookContext,
  TaskSuccessContext,
  TaskRetryContext,
  TaskFailureContext,
  TaskCancelContext,
} from './hooks/hook-context';
export { QueueService } from './queue/queue.service';
export { TaskHandle, ResultOf } from './queue/task-handle';
export { ResultOptions } from './results/result-options';
export { ChainHandle } from './queue/chain-handle';
export { ChainStep, ChainLink } from './queue/chains';
export { GroupHandle, ChordHandle } from './queue/group-handle';
export {
  EnqueueRequest,
  MethodArgs,
  MethodName,
  MethodResult,
  TaskArgs,
  TaskCall,
  TaskRequest,
  RequestResult,
} from './messages/task-types';
export { taskCall } from './messages/task-call';
export { DeadLetter, DeadLetterPage } from './queue/dead-letters';
export { QueueStats, RecentOutcomes, ListPage } from './queue/queue-inspector';
export { ObliterateOptions } from './queue/queue-control';
export { QueueCounts, QueueState, TaskSummary } from './broker/queue-snapshot';
export { WaitingTask, PriorityThreshold, PromoteOptions } from './queue/priorities';
export { WorkerService } from './worker/worker.service';
export { WorkerEvent, TaskRef, HookFailedEvent } from './core/worker-event';
export { taskContext, TaskContext, ProgressOptions } from './worker/task-context';
export { TASK_REF, TASKMILL_CONTEXT_TYPE } from './constants';
export { LockService } from './locks/lock.service';
export { LockHandle } from './locks/lock-handle';
export { LockOptions, LockHolder } from './locks/lock.options';
export { HeldLock } from './broker/lock-scripts';
export { StatusTracker } from './status/status-tracker';
export { HistoryEntry } from './status/history';
export { TaskDetails, TaskLinks } from './status/task-details';
export { TaskStatus, StatusUpdate, isTerminal } from './core/task-status';
export { ResultStore } from './results/result-store';
export { ResultStream } from './results/result-stream';
export { TaskSettlement, StoredOutcome } from './results/settlement';
export { Serializer } from './serialization/serializer';
export { JsonSerializer } from './serialization/json-serializer';
export { JsonSafe, NotJson, TaskmillTypes } from './serialization/json-types';
export {
  QueueModuleOptions,
  WorkerOptions,
  ConnectionOption,
  ClusterConnection,
  ReplicaWait,
  ClusterNodeAddress,
  RedisClient,
} from './options/module.options';
export { MetricsOptions, MetricsRegistry } from './options/observability.options';
export { TaskmillHealthIndicator } from './observability/health/taskmill-health.indicator';
export { TaskmillHealthOptions, TaskmillHealthResult } from './observability/health/health-options';
export { QueueSettings } from './options/queue-settings';
export { RateLimit } from './options/rate-limit';
export { BatchOptions } from './options/batch.options';
export { TaskBatch, TaskBatchItem } from './core/task-batch';
export { StoredQueueSettings } from './broker/flow-settings';
export { KeyLayout } from './options/key-layout';
export { PoolOptions } from './options/pool.options';
export {
  TaskOptions,
  TaskDecoratorOptions,
  TaskMechanism,
  EnqueueOptions,
  DebounceOptions,
  ScheduleOptions,
} from './options/task.options';
export { BackoffOption, BackoffOptions } from './options/backoff.options';
export {
  Recurrence,
  CatchUpPolicy,
  TaskScheduleOptions,
  ScheduleInfo,
} from './options/schedule.options';
export {
  TaskmillError,
  InvalidOptionsError,
  TaskNameCollisionError,
  UnknownTaskError,
  TaskNotFoundError,
  MessageAlreadyExistsError,
  TaskDefinitionPart,
  SerializationError,
  TaskFailedError,
  TaskCancelledError,
  ResultTimeoutError,
  QueueClosedError,
  TaskTimeoutError,
  NonRetryableError,
  TaskForbiddenError,
  ScopedProviderError,
  ConnectionError,
  ReplicationError,
  UnsupportedRedisError,
  RedisOutOfMemoryError,
  RedisPermissionError,
  WaitCycleError,
  GateAcrossSlotsError,
  QueueRequiredError,
  UnknownQueueError,
  QueueBusyError,
  TooManyWaitingTasksError,
  LockTimeoutError,
  LockLostError,
  LockLostReason,
  PoisonTaskError,
  IntegrityError,
  CorruptTaskError,
  ChainStoppedError,
  ChordPartFailedError,
  MissingPeerDependencyError,
  PoolSetupError,
  PoolMemberCrashError,
  PoolMemberEnd,
  CliUsageError,
  ErrorDetails,
  DashboardNeedsHttpError,
} from './errors';
