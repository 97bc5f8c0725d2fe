import { InvalidOptionsError, OnTaskFailure, OnTaskRetry, OnTaskSuccess } from '../../../lib';
import { readHookMetadata } from '../../../lib/discovery/task-metadata.accessor';
import { catchInvalidOptions } from '../../support/expect-invalid';

describe('@OnTask…() decorators', () => {
  it('reject a task name that breaks the name rules when the class is defined', () => {
    const error = catchInvalidOptions(() => {
      class Hooks {
        @OnTaskSuccess('email send')
        sent(): void {}
      }
      return Hooks;
    });
    expect(error.field).toBe('@OnTaskSuccess(Hooks.sent).name');
  });

  it.each([[''], [42], [null], ['a{b}']])('reject the name %p', (name) => {
    expect(() => {
      class Hooks {
        @OnTaskRetry(name as string)
        retried(): void {}
      }
      return Hooks;
    }).toThrow(InvalidOptionsError);
  });

  it('record every hook of a method in source order, named or for every task', () => {
    class Hooks {
      @OnTaskSuccess('email.send')
      @OnTaskFailure()
      ended(): void {}
    }
    expect(readHookMetadata(Hooks.prototype.ended)).toEqual([
      { kind: 'success', task: 'email.send' },
      { kind: 'failure' },
    ]);
  });
});
