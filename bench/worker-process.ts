// A worker in its own process, for the multi-process case. Protocol on stdio:
//   → "ready"                 once set up           ← "go"    start consuming
//   → "done <n>"              completions so far    ← "stop"  close and report
//   → "stats <cpuMs> <maxRssKiB>"
import 'reflect-metadata';
import { createInterface } from 'readline';
import { createSubject } from './subjects/roster';

async function main(): Promise<void> {
  const [library, url, concurrency] = process.argv.slice(2);
  const subject = await createSubject(library);
  await subject.open(url);
  let done = 0;
  let trailing: NodeJS.Timeout | undefined;
  const report = () => process.stdout.write(`done ${done}\n`);
  const worker = await subject.startWorker({
    concurrency: Number(concurrency),
    onComplete: () => {
      done++;
      if (done % 500 === 0) report();
      clearTimeout(trailing);
      trailing = setTimeout(report, 20);
    },
  });
  let cpuAtStart = process.cpuUsage();
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'go') {
      cpuAtStart = process.cpuUsage();
      await worker.begin();
    } else if (line === 'stop') {
      const cpu = process.cpuUsage(cpuAtStart);
      await worker.stop();
      await subject.close();
      const maxRss = process.resourceUsage().maxRSS;
      process.stdout.write(`stats ${(cpu.user + cpu.system) / 1000} ${maxRss}\n`);
      process.exit(0);
    }
  }
}

void main();
