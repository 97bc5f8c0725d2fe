import { Test } from '@nestjs/testing';
import { AddressInfo } from 'net';
import { INestApplication } from '@nestjs/common';
import { QueueService, TaskmillDashboardModule } from '../../lib';
import { SwitchGuard, testQueueModule } from '../support/dashboard-app';
import { httpRequest, openSession, postAction } from '../support/dashboard-http';

describe('two dashboards in one app', () => {
  let app: INestApplication;
  let origin: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        testQueueModule({ worker: { enabled: false } }),
        TaskmillDashboardModule.forRoot({ path: '/view', access: 'public', readOnly: true }),
        TaskmillDashboardModule.forRoot({ path: '/admin/taskmill', access: SwitchGuard }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(() => app?.close());

  async function pause(path: string) {
    const session = await openSession(`${origin}${path}`);
    const own = { cookie: session.cookie, 'x-taskmill-csrf': session.token };
    return postAction(`${origin}${path}`, 'pause', { queue: 'shared' }, own);
  }

  it('keeps each one its own path, access and read-only setting', async () => {
    const queue = app.get(QueueService);
    await queue.enqueue('other.task', [], { queue: 'shared' });

    SwitchGuard.open = false;
    expect((await httpRequest(`${origin}/view/api/overview`)).status).toBe(200);
    expect((await httpRequest(`${origin}/admin/taskmill/api/overview`)).status).toBe(403);

    SwitchGuard.open = true;
    const viewer = await pause('/view');
    expect(viewer.status).toBe(403);
    expect(JSON.parse(viewer.body).error).toBe('ReadOnly');
    expect((await queue.stats('shared')).paused).toBe(false);

    const admin = await pause('/admin/taskmill');
    expect(admin.status).toBe(200);
    expect((await queue.stats('shared')).paused).toBe(true);
  });
});
