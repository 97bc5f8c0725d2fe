import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'net';
import { QueueService, StatusUpdate, TaskStatus } from '../../lib';
import { HttpSampleModule } from '../../sample/http/app.module';
import { RecordingLogger } from '../support/recording-logger';
import { testRedisUrl, uniquePrefix } from '../support/redis';

/** The JSON of each `data:` line of an SSE stream, until the stream ends. */
async function* sseData(response: Response): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      for (const line of message.split('\n')) {
        if (line.startsWith('data:')) yield JSON.parse(line.slice(5).trim());
      }
    }
  }
}

describe('the HTTP sample (sample/http)', () => {
  let app: INestApplication;
  let base: string;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    app = await NestFactory.create(HttpSampleModule.forRedis(testRedisUrl(), uniquePrefix()), {
      logger,
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('enqueues from its controller and streams the task status over SSE until it succeeds', async () => {
    const page = await fetch(base);
    expect(await page.text()).toContain('EventSource');

    const created = await fetch(`${base}/thumbnails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: 'dog.png', width: 100 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    const stream = await fetch(`${base}/thumbnails/${id}/status`);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const updates: StatusUpdate[] = [];
    for await (const data of sseData(stream)) {
      updates.push(data as StatusUpdate);
      if (updates.at(-1)?.status === TaskStatus.SUCCEEDED) break;
    }
    expect(updates.every((update) => update.id === id)).toBe(true);
    expect(updates.at(-1)?.status).toBe(TaskStatus.SUCCEEDED);
    const steps = updates.map((update) => (update.progress as { step?: string } | undefined)?.step);
    expect(steps).toEqual(expect.arrayContaining(['upload']));
    await expect(app.get(QueueService).handle(id).result({ timeout: 5000 })).resolves.toEqual({
      image: 'dog.png',
      width: 100,
      bytes: 9700,
    });
    // The sample's logging interceptor saw the run.
    const logged = logger.of('Tasks').map((line) => line.message);
    expect(logged).toContain(`thumbnail.render ${id} (attempt 1) started`);
    expect(
      logged.some((line) => line.startsWith(`thumbnail.render ${id} (attempt 1) succeeded`)),
    ).toBe(true);

    // Its /metrics endpoint counts the run.
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toMatch(
      /^taskmill_tasks_total\{queue="default",task="thumbnail\.render",status="succeeded"\} 1$/m,
    );
  });
});
