import { ChildProcess, execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Redis } from 'ioredis';
import { freePort } from '../../lib/testing/redis-process';
import { dataServerArgs, spawnRedisServer, stopChild, waitFor } from './redis-server-process';

/**
 * A private redis-server that only speaks TLS (`--port 0 --tls-port <free>`), with a CA and a
 * server certificate (for 127.0.0.1 and localhost) made with openssl in a temporary directory
 * at test time. Clients are not asked for certificates (`--tls-auth-clients no`).
 */
export class TlsRedis {
  private constructor(
    readonly dir: string,
    readonly port: number,
    /** The CA certificate (PEM) that signed the server's certificate. */
    readonly ca: Buffer,
    private readonly child: ChildProcess,
  ) {}

  static async start(): Promise<TlsRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'taskmill-tls-'));
    try {
      makeCertificates(dir);
      const port = await freePort();
      const child = spawnRedisServer(dir, 'tls', [
        ...dataServerArgs(dir, 'tls', 0),
        '--tls-port',
        String(port),
        '--tls-cert-file',
        join(dir, 'server.crt'),
        '--tls-key-file',
        join(dir, 'server.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.crt'),
        '--tls-auth-clients',
        'no',
      ]);
      const redis = new TlsRedis(dir, port, readFileSync(join(dir, 'ca.crt')), child);
      await redis.untilListening();
      return redis;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The server's rediss:// URL (the CA still has to be given in `tls.ca`). */
  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async untilListening(): Promise<void> {
    const probe = new Redis(this.url, {
      tls: { ca: this.ca },
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    probe.on('error', () => undefined);
    try {
      await waitFor(`for the TLS redis-server on port ${this.port}`, async () => {
        if (this.child.exitCode !== null) throw new Error('redis-server (TLS) exited');
        return (await probe.ping()) === 'PONG';
      });
    } finally {
      probe.disconnect();
    }
  }
}

/** A CA and a server certificate signed by it, valid for a day (EC keys: quick to make). */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=taskmill test CA',
  );
  openssl(
    'req',
    '-new',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '1',
    '-extfile',
    'server.ext',
  );
}
