// A work queue with a fixed number of workers: push returns when that item is done, drained when all are.
export interface WorkQueue<T> {
  /** Resolves once `item` has been worked on. */
  push(item: T): Promise<void>;
  /** Resolves once every item pushed so far is done. */
  drained(): Promise<void>;
}

/** `work` handles its own failures: a rejection is not caught here. */
export function createWorkQueue<T>(workers: number, work: (item: T) => Promise<void>): WorkQueue<T> {
  const waiting: Array<{ item: T; done: () => void }> = [];
  const idle: Array<() => void> = [];
  let busy = 0;

  const next = (): void => {
    while (busy < workers && waiting.length > 0) {
      const { item, done } = waiting.shift()!;
      busy++;
      void work(item).finally(() => {
        busy--;
        done();
        next();
      });
    }
    if (busy === 0 && waiting.length === 0) idle.splice(0).forEach((resolve) => resolve());
  };

  return {
    push: (item) =>
      new Promise<void>((done) => {
        waiting.push({ item, done });
        next();
      }),
    drained: () => (busy === 0 && waiting.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve))),
  };
}
