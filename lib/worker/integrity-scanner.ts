import { randomUUID } from 'crypto';
import { Subject } from 'rxjs';
import { Broker } from '../broker/broker';
import { WorkerEvent } from '../core/worker-event';

/** Task records examined per page (SCAN COUNT): short calls, so Redis stays responsive. */
const PAGE_SIZE = 500;
/** Calls per turn: up to 5,000 records per interval across all workers. */
const PAGES_PER_TURN = 10;

/**
 * Walks every task record now and then, looking for tasks that no worker would ever run
 * (see check-integrity-1.lua), and fails them into the dead-letter set with a reason. Every
 * worker offers to scan each interval; the one that gets the turn scans a few pages (each a
 * SCAN on one primary, then the checks on the slots of the records found: Broker.scanIntegrity).
 */
export class IntegrityScanner {
  private readonly token = randomUUID();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly broker: Broker,
    private readonly intervalMs: number,
    private readonly events: Subject<WorkerEvent>,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.scanTurn(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One turn: the ids failed by it (none when another worker had the turn). */
  async scanTurn(): Promise<string[]> {
    const failed: string[] = [];
    try {
      for (let page = 0; page < PAGES_PER_TURN; page++) {
        const scanned = await this.broker.scanIntegrity(this.token, this.intervalMs, PAGE_SIZE);
        if (!scanned) break;
        failed.push(...scanned.failed);
        if (scanned.cursor === '0') break;
      }
    } catch (error) {
      this.events.next({ type: 'worker.error', error: error as Error });
    }
    if (failed.length > 0) this.events.next({ type: 'integrity.repaired', failed });
    return failed;
  }
}
