import { Get, Query, Injectable } from '@nestjs/common';
import { QueueState } from '../broker/queue-snapshot';
import { DashboardReads } from './dashboard-reads';
import { numberParam, optionalText, textParam } from './query-params';

const PAGE_SIZE = 50;

/** The JSON the pages read. Mounted like PagesController. */
@Injectable()
export class ReadApiController {
  constructor(private readonly reads: DashboardReads) {}

  @Get('api/overview')
  overview() {
    return this.reads.overview();
  }

  @Get('api/queue')
  queue(@Query() query: Record<string, unknown>) {
    return this.reads.queuePage(
      textParam(query.name, 'name'),
      (optionalText(query.state) ?? 'waiting') as QueueState,
      numberParam(query.offset, 'offset', 0),
      numberParam(query.limit, 'limit', PAGE_SIZE),
    );
  }

  @Get('api/task')
  task(@Query() query: Record<string, unknown>) {
    return this.reads.task(textParam(query.id, 'id'), optionalText(query.queue));
  }

  @Get('api/dead')
  dead(@Query() query: Record<string, unknown>) {
    return this.reads.dead(
      textParam(query.queue, 'queue'),
      numberParam(query.offset, 'offset', 0),
      numberParam(query.limit, 'limit', PAGE_SIZE),
    );
  }

  @Get('api/schedules')
  schedules() {
    return this.reads.schedules();
  }

  @Get('api/lock')
  lock(@Query() query: Record<string, unknown>) {
    return this.reads.lock(textParam(query.name, 'name'));
  }
}
