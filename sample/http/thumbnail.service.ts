import { Injectable, UseInterceptors } from '@nestjs/common';
import { setTimeout as sleep } from 'timers/promises';
import { Task, taskContext } from '../../lib';
import { TaskLoggingInterceptor } from './task-logging.interceptor';

export interface Thumbnail {
  image: string;
  width: number;
  bytes: number;
}

/** The work behind the HTTP endpoint: slow enough for the browser to see its progress. */
@Injectable()
@UseInterceptors(TaskLoggingInterceptor)
export class ThumbnailService {
  @Task({ name: 'thumbnail.render', retries: 2 })
  async render(image: string, width: number): Promise<Thumbnail> {
    const { progress, signal } = taskContext();
    for (const step of ['download', 'resize', 'upload']) {
      await progress({ step });
      await sleep(300, undefined, { signal });
    }
    return { image, width, bytes: width * 97 };
  }
}
