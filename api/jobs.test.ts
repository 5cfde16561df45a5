/**
 * The API's own queue in front of an app job's updates: at most a few at once per app, the rest
 * in the order they came, so a burst of on-demand requests never meets Temporal's in-flight limit.
 */
import { describe, expect, it } from 'vitest';
import { perKeyLimit } from './jobs';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('perKeyLimit', () => {
  it('runs at most the limit at once per key, in the order the tasks came, and each key on its own', async () => {
    const run = perKeyLimit(2);
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const releases = new Map<string, () => void>();
    const task = (name: string) => () => {
      started.push(name);
      running += 1;
      most = Math.max(most, running);
      return new Promise<string>((done) =>
        releases.set(name, () => {
          running -= 1;
          done(name);
        }),
      );
    };
    const a = ['a1', 'a2', 'a3', 'a4'].map((name) => run('app-a', task(name)));
    const b = run('app-b', task('b1'));
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1']);
    releases.get('a2')!();
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    for (const name of ['a1', 'a3', 'b1']) releases.get(name)!();
    await tick();
    releases.get('a4')!();
    expect(await Promise.all([...a, b])).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
    expect(most).toBe(3);
  });

  it('passes a failure on and still gives the next task its turn', async () => {
    const run = perKeyLimit(1);
    const failed = run('app', async () => Promise.reject(new Error('refused')));
    const next = run('app', async () => 'ran');
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('ran');
  });
});
