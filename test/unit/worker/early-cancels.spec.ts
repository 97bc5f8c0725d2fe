import { EarlyCancels } from '../../../lib/worker/early-cancels';

describe('EarlyCancels', () => {
  it('tells once that a cancel of an id was heard', () => {
    const cancels = new EarlyCancels();
    expect(cancels.take('a')).toBe(false);
    cancels.add('a');
    cancels.add('b');
    expect(cancels.take('a')).toBe(true);
    expect(cancels.take('a')).toBe(false);
    expect(cancels.take('b')).toBe(true);
  });

  it('keeps the latest 10,000 cancels: every worker hears every cancel of its prefix', () => {
    const cancels = new EarlyCancels();
    for (let i = 0; i <= 10_000; i++) cancels.add(`t${i}`);
    expect(cancels.take('t0')).toBe(false);
    expect(cancels.take('t1')).toBe(true);
    expect(cancels.take('t10000')).toBe(true);
  });

  it('keeps a cancel heard again as the latest', () => {
    const cancels = new EarlyCancels();
    cancels.add('again');
    for (let i = 0; i < 9_999; i++) cancels.add(`t${i}`);
    cancels.add('again');
    cancels.add('one-more');
    expect(cancels.take('t0')).toBe(false);
    expect(cancels.take('again')).toBe(true);
  });
});
