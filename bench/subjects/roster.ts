import { SUBJECT_NAMES } from './names';
import { Subject } from './subject';

/**
 * Each library's subject module is loaded only when asked for: a worker process of the
 * multi-process case then carries one library's code in the peak RSS it reports, not all three.
 */
const FACTORIES: Record<string, () => Promise<Subject>> = {
  taskmill: async () => new (await import('./taskmill.subject')).TaskmillSubject(),
  BullMQ: async () => new (await import('./bullmq.subject')).BullmqSubject(),
  'bee-queue': async () => new (await import('./beequeue.subject')).BeeQueueSubject(),
};

/**
 * A fresh subject by its name; the worker processes of the multi-process case are told which
 * library to run by this name, so an unknown one must fail rather than fall back to another.
 */
export function createSubject(name: string): Promise<Subject> {
  const factory = FACTORIES[name];
  if (!factory) return Promise.reject(new Error(`no bench subject named "${name}"`));
  return factory();
}

/**
 * Every subject, in an order rotated by `shift`: each library goes first in turn across the
 * repeats, so that warm-up effects of the shared Redis do not always favour the same one.
 */
export function subjectsInTurn(shift: number): Promise<Subject[]> {
  const names = SUBJECT_NAMES.map((_, i) => SUBJECT_NAMES[(i + shift) % SUBJECT_NAMES.length]);
  return Promise.all(names.map(createSubject));
}
