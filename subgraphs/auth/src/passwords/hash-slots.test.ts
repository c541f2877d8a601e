import { HashSlots } from './hash-slots';

/** A job that runs until its gate opens, recording when it started. */
function gated(started: string[], name: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return { gate, open, work: () => (started.push(name), gate) };
}

const refuse = (retryAfter: number) => Object.assign(new Error('busy'), { retryAfter });

describe('HashSlots', () => {
  it('hands a freed slot to the oldest waiter, not to a caller arriving as it frees', async () => {
    const started: string[] = [];
    const slots = new HashSlots(1, 10, refuse);
    const first = gated(started, 'first');
    const waiter = gated(started, 'waiter');
    const newcomer = gated(started, 'newcomer');
    const jobs = [slots.run(first.work), slots.run(waiter.work)];
    // Registered after the slot's own continuation on this gate: it runs in the very microtask
    // step in which the first job's slot is released, before the waiter has resumed.
    const late = first.gate.then(() => slots.run(newcomer.work));
    first.open();
    await first.gate;
    await Promise.resolve();
    expect(started).toEqual(['first', 'waiter']);
    expect(slots.stats()).toEqual({ running: 1, waiting: 1 });
    waiter.open();
    newcomer.open();
    await Promise.all([...jobs, late]);
    expect(started).toEqual(['first', 'waiter', 'newcomer']);
    expect(slots.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses past maxWaiting without queueing, and admits again once the line moves', async () => {
    const started: string[] = [];
    const slots = new HashSlots(1, 2, refuse);
    const jobs = ['a', 'b', 'c'].map((name) => gated(started, name));
    const runs = jobs.map((job) => slots.run(job.work));
    await expect(slots.run(async () => 'd')).rejects.toMatchObject({ message: 'busy' });
    expect(slots.stats()).toEqual({ running: 1, waiting: 2 });
    jobs[0].open();
    await runs[0];
    expect(slots.stats()).toEqual({ running: 1, waiting: 1 });
    const e = slots.run(async () => 'e');
    for (const job of jobs) job.open();
    await expect(e).resolves.toBe('e');
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('frees the slot of a job that throws', async () => {
    const slots = new HashSlots(1, 0, refuse);
    await expect(slots.run(() => Promise.reject(new Error('argon2')))).rejects.toThrow('argon2');
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });
});
