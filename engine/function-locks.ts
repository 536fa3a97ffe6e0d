/**
 * One writer per function: writes on a function run one after another, in
 * arrival order. Readers never take the lock; they read SQLite, whose confirm
 * steps are single transactions.
 */
export class FunctionLocks {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(functionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(functionId) ?? Promise.resolve()
    const result = previous.then(work, work)
    const tail = result.catch(() => {})
    this.tails.set(functionId, tail)
    void tail.then(() => {
      if (this.tails.get(functionId) === tail) this.tails.delete(functionId)
    })
    return result
  }
}
