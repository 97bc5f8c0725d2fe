import { MessageEvent, Query, Sse, Injectable } from '@nestjs/common';
import { bufferTime, filter, map, merge, Observable, interval } from 'rxjs';
import { QueueService } from '../queue/queue.service';
import { StatusUpdate } from '../core/task-status';
import { optionalText } from './query-params';

/** What the page is sent of a status change: enough to know what to read again. */
export type LiveChange = Pick<StatusUpdate, 'id' | 'task' | 'queue' | 'status' | 'attempt' | 'at'>;

/** Changes are sent in batches, at most this often and this many: a busy queue cannot flood a page. */
const BATCH_MS = 250;
const MAX_BATCH = 200;
/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

/** The live stream of status changes (server-sent events). Mounted like PagesController. */
@Injectable()
export class LiveController {
  constructor(private readonly queue: QueueService) {}

  @Sse('api/events')
  events(@Query() query: Record<string, unknown>): Observable<MessageEvent> {
    const queue = optionalText(query.queue);
    const changes = this.queue.events$(queue === undefined ? {} : { queue }).pipe(
      map(slim),
      bufferTime(BATCH_MS),
      filter((batch) => batch.length > 0),
      map((batch): MessageEvent => ({ type: 'changes', data: batch.slice(-MAX_BATCH) })),
    );
    const keepAlive = interval(KEEP_ALIVE_MS).pipe(
      map((): MessageEvent => ({ type: 'ping', data: '' })),
    );
    return merge(changes, keepAlive);
  }
}

function slim({ id, task, queue, status, attempt, at }: StatusUpdate): LiveChange {
  return { id, task, queue, status, attempt, at };
}
