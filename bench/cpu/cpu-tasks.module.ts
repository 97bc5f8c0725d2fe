// The module taskmill's pool threads boot in the hashing case: the handler alone, no Redis.
import { Injectable, Module } from '@nestjs/common';
import { Task } from '../../lib';
import { hashFor } from './hash-work';

export const CPU_QUEUE = 'bench-cpu';

@Injectable()
export class CpuTasks {
  @Task({ name: 'bench.hash', queue: CPU_QUEUE, mechanism: 'thread' })
  hash(ms: number): number {
    return hashFor(ms);
  }
}

@Module({ providers: [CpuTasks] })
export class CpuTasksModule {}
