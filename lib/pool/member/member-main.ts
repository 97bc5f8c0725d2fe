// The entry point of a worker-pool member (a worker thread or a child process started by
// lib/pool/member-spawn.ts): boots the pool module, says which tasks it can run, then runs
// what its worker sends until it is terminated.
import 'reflect-metadata';
import { POOL_MEMBER_ENV } from '../../core/pool-member';
import type { MemberConfig } from '../pool-protocol';
import { bootMemberApp, MemberBootError } from './member-app';
import { MemberRunner } from './member-runner';
import { parentChannel } from './parent-channel';

async function main(): Promise<void> {
  const config = JSON.parse(process.env[POOL_MEMBER_ENV] ?? '{}') as MemberConfig;
  const channel = parentChannel();
  let runner: MemberRunner;
  try {
    runner = new MemberRunner(await bootMemberApp(config), channel);
  } catch (error) {
    // The worker stops this member once it has read why.
    const message =
      error instanceof MemberBootError
        ? error.message
        : `booting a pool ${config.mechanism} failed: ${(error as Error).message}`;
    channel.send({ type: 'boot-failed', message });
    return;
  }
  channel.onMessage((message) => runner.on(message));
  if (config.mechanism === 'process') {
    // Stopped by its worker (timeout, cancel, shutdown): the handler's signal aborts and the
    // process exits once it returns, or is killed after patienceMs if it does not.
    process.once('SIGTERM', () => {
      const reason = new Error('the worker stopped this pool process (SIGTERM)');
      void runner.terminate(reason).finally(() => process.exit(143));
    });
    // The worker is gone: nobody will collect this member's results.
    process.once('disconnect', () => process.exit(0));
  }
  channel.send({ type: 'ready', tasks: runner.tasks() });
}

void main();
