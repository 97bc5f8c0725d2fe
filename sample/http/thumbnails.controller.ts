import { Body, Controller, Get, Header, MessageEvent, Param, Post, Sse } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import { QueueService } from '../../lib';
import { PAGE } from './page';
import { ThumbnailService } from './thumbnail.service';

/** What `POST /thumbnails` takes. */
interface RenderRequest {
  image?: string;
  width?: number;
}

@Controller()
export class ThumbnailsController {
  constructor(private readonly queue: QueueService) {}

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  /** Enqueues a rendering and answers at once with the task's id. */
  @Post('thumbnails')
  async render(@Body() body: RenderRequest): Promise<{ id: string }> {
    const image = typeof body?.image === 'string' ? body.image : 'cat.jpg';
    const width = typeof body?.width === 'number' ? body.width : 320;
    const handle = await this.queue.enqueue(ThumbnailService, 'render', [image, width]);
    return { id: handle.id };
  }

  /** Each status change of the task as a server-sent event; the stream ends with the task. */
  @Sse('thumbnails/:id/status')
  status(@Param('id') id: string): Observable<MessageEvent> {
    return this.queue.handle(id).status$.pipe(map((update) => ({ data: update })));
  }
}
