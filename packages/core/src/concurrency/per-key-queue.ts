/**
 * Runs the tasks given for one key one after the other, and tasks of different keys side by
 * side. In-process only: it saves the database the contention it can see coming (many requests
 * of one process updating the same row), while the database's own lock still orders writers of
 * other processes.
 *
 * Hand-written because it is a dozen lines over a Map of promise chains; a key's entry is
 * dropped as soon as its last task settles, so the map holds only keys in use.
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A failed task must not stop the ones queued behind it.
    const result = previous.catch(() => undefined).then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Whether a task of `key` is queued or running: one given now would wait. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Keys with a task queued or running: for tests. */
  get size(): number {
    return this.tails.size;
  }
}
