import { parentPort } from 'worker_threads';
import type { FromMember, ToMember } from '../pool-protocol';

/** A member's line to its worker: the thread's port, or the child process's IPC channel. */
export interface ParentChannel {
  send(message: FromMember): void;
  onMessage(listener: (message: ToMember) => void): void;
}

export function parentChannel(): ParentChannel {
  const port = parentPort;
  if (port) {
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', listener),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('a taskmill pool member must be started by a taskmill worker');
  return {
    send: (message) => void send(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as ToMember)),
  };
}
