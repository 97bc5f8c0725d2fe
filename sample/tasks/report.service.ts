import { Injectable } from '@nestjs/common';
import { Task } from '../../lib';

export interface Report {
  title: string;
  rows: number;
  builtAt: string;
}

/** A task that simply succeeds: its return value comes back through `handle.result()`. */
@Injectable()
export class ReportService {
  @Task('report.build')
  async build(title: string, rows: number): Promise<Report> {
    await sleep(150);
    return { title, rows, builtAt: new Date().toISOString() };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
