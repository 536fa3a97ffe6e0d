/**
 * One writer per function: writes on a function run one after another, in
 * arrival order. Readers never take the lock; they read SQLite, whose confirm
 * steps are single transactions.
 */
export class FunctionLocks {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(functionId: string, work: () => Promise<T>): Promise<T> {
    // Callers pass the id as the client spelled it; a UUID in capitals is the same function.
    const key = functionId.toLowerCase()
    const previous = this.tails.get(key) ?? Promise.resolve()
    const result = previous.then(work, work)
    const tail = result.catch(() => {})
    this.tails.set(key, tail)
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    return result
  }
}
