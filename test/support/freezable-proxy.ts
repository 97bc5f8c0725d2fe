import { AddressInfo, createServer, Server, Socket } from 'net';

/**
 * A TCP proxy in front of a real Redis that can "freeze" the connections open at a moment:
 * their sockets stay open but no byte passes any more in either direction, as with a network
 * drop that sends no RST (a half-open connection). Connections opened later pass normally.
 */
export class FreezableProxy {
  private readonly pairs: { client: Socket; upstream: Socket; frozen: boolean }[] = [];
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<FreezableProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FreezableProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client: Socket) => proxy.accept(client, upstreamPort));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Connections open now stop passing data; returns how many were frozen. */
  freeze(): number {
    const live = this.pairs.filter((pair) => !pair.frozen && !pair.client.destroyed);
    for (const pair of live) pair.frozen = true;
    return live.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { client, upstream } of this.pairs.splice(0)) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, upstreamPort: number): void {
    if (this.closed) return void client.destroy();
    const upstream = new Socket();
    const pair = { client, upstream, frozen: false };
    this.pairs.push(pair);
    upstream.connect(upstreamPort, '127.0.0.1');
    client.on('data', (data) => pair.frozen || upstream.write(data));
    upstream.on('data', (data) => pair.frozen || client.write(data));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
