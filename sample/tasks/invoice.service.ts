import { Injectable } from '@nestjs/common';
import { Task, taskContext } from '../../lib';

/**
 * A task that fails once, then succeeds: shows RETRYING and the retry's backoff. The short
 * constant backoff keeps the demo fast (the module default is exponential from 1 s).
 */
@Injectable()
export class InvoiceService {
  @Task({ name: 'invoice.send', retries: 2, backoff: 200 })
  async send(customer: string, amount: number): Promise<string> {
    // attempt counts runs from 1; a real handler would not know in advance that it will fail.
    if (taskContext().attempt === 1) {
      throw new Error(`mail server busy, could not send invoice to ${customer}`);
    }
    return `invoice of ${amount.toFixed(2)} EUR sent to ${customer}`;
  }
}
