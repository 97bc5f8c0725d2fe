import { Subject } from '../subjects/subject';
import { BenchCase, BenchContext, BenchScale, Metric, range } from './bench-case';
import { drain, mirrored } from './drain';

const CONCURRENCY = 100;
const LAYOUTS = ['no group', 'one group', '10,000 groups'] as const;
type Layout = (typeof LAYOUTS)[number];

/**
 * How many groups and tasks per group the many-groups layout has (the other layouts take as
 * many tasks). The tiny scale, for the guard test only, has 500 groups: it proves the case
 * runs, and 10,000 would cost that test tens of seconds on a loaded machine.
 */
const SIZES: Record<BenchScale, { groups: number; perGroup: number }> = {
  full: { groups: 10_000, perGroup: 10 },
  quick: { groups: 10_000, perGroup: 3 },
  tiny: { groups: 500, perGroup: 3 },
};

/** Which group task `i` goes to: the groups get their tasks in turn, as tenants would. */
function groupOf(layout: Layout, groups: number): (i: number) => string | undefined {
  if (layout === 'no group') return () => undefined;
  if (layout === 'one group') return () => 'tenant';
  return (i) => `tenant-${i % groups}`;
}

function perLayout(key: string, label: string, unit: string): Metric[] {
  return LAYOUTS.map((layout) => ({
    key: `${key}.${layout}`,
    label: `${label}, ${layout}`,
    unit,
    better: key === 'rate' ? 'higher' : 'lower',
  }));
}

async function fill(subject: Subject, count: number, group: (i: number) => string | undefined) {
  for (let from = 0; from < count; from += 1000) {
    await subject.enqueueBulkInGroups!(range(Math.min(1000, count - from), from), group);
  }
}

/**
 * Flow control: what serving groups in turn costs per task, with the waiting tasks in no
 * group, all in one group, or spread over 10,000 groups. The claim takes the next group of the
 * rotation in O(1), so the cost per task should not grow with the number of groups.
 */
export const groupsCase: BenchCase = {
  section: 'flow control',
  unsupported: { BullMQ: 'groups: BullMQ Pro only', 'bee-queue': 'no groups' },
  metrics: [
    ...perLayout('rate', `process pre-filled tasks, concurrency ${CONCURRENCY}`, 'tasks/s'),
    ...perLayout('commands', 'Redis commands per task (claim and outcome)', 'cmds'),
    ...perLayout('cpu', 'Redis server CPU per task (claim and outcome)', 'µs'),
    {
      key: 'cpuRatio',
      label: 'Redis server CPU per task, 10,000 groups ÷ one group',
      unit: '×',
      better: 'lower',
    },
  ],
  async run(subject: Subject, context: BenchContext) {
    const { groups, perGroup } = SIZES[context.scale];
    const count = groups * perGroup;
    const totals = await mirrored(LAYOUTS, (layout) =>
      drain(subject, context, count, () => fill(subject, count, groupOf(layout, groups)), {
        concurrency: CONCURRENCY,
        keepResults: false,
      }),
    );
    const values: Record<string, number> = {};
    for (const layout of LAYOUTS) {
      // Each layout ran twice (mirrored): twice `count` tasks.
      const { seconds, commands, cpuMicros } = totals[layout];
      values[`rate.${layout}`] = (2 * count) / seconds;
      values[`commands.${layout}`] = commands / (2 * count);
      values[`cpu.${layout}`] = cpuMicros / (2 * count);
    }
    values.cpuRatio = values['cpu.10,000 groups'] / values['cpu.one group'];
    return values;
  },
};
