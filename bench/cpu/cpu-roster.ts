import { CpuSubject } from './cpu-subject';

/** The CPU-bound case's subjects, loaded only when the case runs. */
const FACTORIES: Record<string, () => Promise<CpuSubject>> = {
  taskmill: async () => new (await import('./taskmill-cpu.subject')).TaskmillCpuSubject(),
  BullMQ: async () => new (await import('./bullmq-cpu.subject')).BullmqCpuSubject(),
  'bee-queue': async () => new (await import('./beequeue-cpu.subject')).BeeQueueCpuSubject(),
};

/** The hashing-case side of the subject named `name`. */
export function cpuSubjectFor(name: string): Promise<CpuSubject> {
  const factory = FACTORIES[name];
  if (!factory) return Promise.reject(new Error(`no CPU bench subject named "${name}"`));
  return factory();
}
