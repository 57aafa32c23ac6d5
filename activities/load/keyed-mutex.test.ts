import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedMutex', () => {
  it('runs holders of one key one at a time, in arrival order, and other keys alongside', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const hold = (key: string, name: string, ms: number) =>
      mutex.run(key, async () => {
        events.push(`${name} in`);
        await sleep(ms);
        events.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([hold('a', 'a1', 30), hold('a', 'a2', 5), hold('b', 'b1', 5), hold('a', 'a3', 5)]);
    expect(results).toEqual(['a1', 'a2', 'b1', 'a3']);
    const a = events.filter((e) => e.startsWith('a'));
    expect(a).toEqual(['a1 in', 'a1 out', 'a2 in', 'a2 out', 'a3 in', 'a3 out']);
    // b1 did not wait for a1
    expect(events.indexOf('b1 out')).toBeLessThan(events.indexOf('a1 out'));
    expect(mutex.size).toBe(0);
  });

  it('releases the key when a holder throws', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('a', () => Promise.reject(new Error('load failed')))).rejects.toThrow('load failed');
    expect(await mutex.run('a', async () => 'next')).toBe('next');
  });

  it('lets a cancelled waiter give up without ever holding the key, and keeps the queue intact', async () => {
    const mutex = new KeyedMutex();
    const controller = new AbortController();
    const order: string[] = [];
    const first = mutex.run('a', async () => {
      await sleep(40);
      order.push('first');
    });
    const cancelled = mutex.run('a', async () => order.push('cancelled ran'), controller.signal);
    const third = mutex.run('a', async () => order.push('third'));
    setTimeout(() => controller.abort(new Error('activity cancelled')), 10);
    await expect(cancelled).rejects.toThrow('activity cancelled');
    await Promise.all([first, third]);
    expect(order).toEqual(['first', 'third']);
  });
});
