import { AddressInfo, createServer, Server, Socket } from 'net';

/**
 * A TCP proxy in front of a real Redis that holds back a connection's commands from its first
 * SUBSCRIBE (or PSUBSCRIBE) on, until release(): the client's subscription stays unconfirmed,
 * as on a slow network, while its other connections pass normally.
 */
export class SubscribeHoldingProxy {
  private readonly sockets: Socket[] = [];
  private readonly held: { upstream: Socket; chunks: Buffer[] }[] = [];
  /** Client sockets of connections that subscribed. */
  private readonly subscribers = new Set<Socket>();
  private released = false;
  private closed = false;
  private heldOne?: () => void;
  /** Resolves once a connection's SUBSCRIBE is held. */
  holding: Promise<void>;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    this.holding = new Promise((resolve) => (this.heldOne = resolve));
  }

  /**
   * Cuts every connection that subscribed, and holds the next SUBSCRIBE again (the client's
   * own, when it reconnects and subscribes anew) until release(); `holding` resolves then.
   */
  cutSubscribers(): void {
    this.released = false;
    this.holding = new Promise((resolve) => (this.heldOne = resolve));
    for (const socket of this.subscribers) socket.destroy();
    this.subscribers.clear();
  }

  static async start(upstreamPort: number): Promise<SubscribeHoldingProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new SubscribeHoldingProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client: Socket) => proxy.accept(client, upstreamPort));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Sends what was held, and lets every connection pass from now on. */
  release(): void {
    this.released = true;
    for (const { upstream, chunks } of this.held.splice(0)) {
      for (const chunk of chunks.splice(0)) upstream.write(chunk);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const socket of this.sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: Socket, upstreamPort: number): void {
    if (this.closed) return void client.destroy();
    const upstream = new Socket();
    this.sockets.push(client, upstream);
    upstream.connect(upstreamPort, '127.0.0.1');
    let held: { upstream: Socket; chunks: Buffer[] } | undefined;
    client.on('data', (data: Buffer) => {
      const subscribing = /subscribe\r\n/i.test(data.toString('latin1'));
      if (subscribing) this.subscribers.add(client);
      if (!held && !this.released && subscribing) {
        held = { upstream, chunks: [] };
        this.held.push(held);
        this.heldOne?.();
      }
      if (held && !this.released) held.chunks.push(data);
      else upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => client.write(data));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
