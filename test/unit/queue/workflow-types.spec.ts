import { QueueService } from '../../../lib/queue/queue.service';
import { TaskHandle } from '../../../lib/queue/task-handle';
import { ChainHandle } from '../../../lib/queue/chain-handle';
import { ChordHandle, GroupHandle } from '../../../lib/queue/group-handle';
import { taskCall } from '../../../lib/messages/task-call';
import { taskContext } from '../../../lib/worker/task-context';

/**
 * Compile-time checks of the typed forms added to enqueueMany, group, chain, chord, handle and
 * taskContext (see enqueue-types.spec.ts for how ts-jest turns these into a test).
 */

interface Receipt {
  orderId: string;
  total: number;
}

class OrderTasks {
  async process(orderId: string): Promise<Receipt> {
    return { orderId, total: 1 };
  }

  async refresh(): Promise<number> {
    return 1;
  }
}

const queue = {} as QueueService;

async function typeChecks(): Promise<void> {
  // taskCall checks arguments like enqueue does, and carries the result type.
  const [order, plain] = await queue.enqueueMany([
    taskCall(OrderTasks, 'process', ['o-1']),
    { task: 'order.audit', args: [1] },
  ]);
  const receipt: Receipt = await order.result();
  const auditResult: unknown = await plain.result();
  // @ts-expect-error orderId must be a string
  taskCall(OrderTasks, 'process', [1]);
  // @ts-expect-error OrderTasks has no method 'ship'
  taskCall(OrderTasks, 'ship', []);
  taskCall(OrderTasks, 'refresh');
  taskCall(OrderTasks, 'refresh', [], { priority: 2 });
  // @ts-expect-error refresh takes no arguments
  taskCall(OrderTasks, 'refresh', [1]);
  // @ts-expect-error process needs its argument
  taskCall(OrderTasks, 'process');

  // A plain array still works, with unknown results.
  const requests = [{ task: 'a' }, { task: 'b', args: [1] }];
  const many: TaskHandle<unknown>[] = await queue.enqueueMany(requests);

  // Groups: results in order, typed where the requests are.
  const group = await queue.group([
    taskCall(OrderTasks, 'process', ['o-1']),
    taskCall(OrderTasks, 'refresh'),
    { task: 'named' },
  ]);
  const [first, second, third] = await group.results();
  const firstTotal: number = first.total;
  const count: number = second;
  const named: unknown = third;
  // @ts-expect-error the second result is a number
  const wrong: string = second;
  const untypedGroup: GroupHandle = await queue.group(requests);

  // Chains: the last step types the result; an explicit type still works for named steps.
  const chain = await queue.chain([
    { task: 'invoice.create', args: ['o-1'] },
    { ...taskCall(OrderTasks, 'process', ['o-1']), continueOnFailure: true },
  ]);
  const chainReceipt: Receipt = await chain.result();
  const namedChain: ChainHandle<number> = await queue.chain<number>([{ task: 'a' }]);
  const unknownChain = await queue.chain([{ task: 'a' }, taskCall(OrderTasks, 'refresh')]);
  const refreshed: number = await unknownChain.result();
  // @ts-expect-error the chain's last step resolves to a Receipt
  const wrongChain: ChainHandle<string> = await queue.chain([
    taskCall(OrderTasks, 'process', ['o']),
  ]);

  // Chords: the callback types the result.
  const chord = await queue.chord([{ task: 'part' }], taskCall(OrderTasks, 'refresh'));
  const chordTotal: number = await chord.result();
  const namedChord: ChordHandle<string> = await queue.chord<string>([{ task: 'p' }], { task: 'c' });

  // A typed handle for an id.
  const typed = queue.handle(OrderTasks, 'process', 'some-id');
  const typedReceipt: Receipt = await typed.result();
  // @ts-expect-error OrderTasks has no method 'ship'
  queue.handle(OrderTasks, 'ship', 'some-id');
  const untyped: TaskHandle<unknown> = queue.handle('some-id');

  // taskContext<Previous>() types `previous`.
  const previous: Receipt = taskContext<Receipt>().previous;
  const unknownPrevious: unknown = taskContext().previous;
  // @ts-expect-error previous is unknown unless typed
  const untypedPrevious: Receipt = taskContext().previous;

  void [receipt, auditResult, many, firstTotal, count, named, wrong, untypedGroup];
  void [chainReceipt, namedChain, refreshed, wrongChain, chordTotal, namedChord];
  void [typedReceipt, untyped, previous, unknownPrevious, untypedPrevious];
}

describe('workflow and handle types', () => {
  it('compiles the type checks above (a failed check fails the suite at compile time)', () => {
    expect(typeof typeChecks).toBe('function');
  });
});
