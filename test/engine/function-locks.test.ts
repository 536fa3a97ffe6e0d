import { setTimeout as sleep } from 'node:timers/promises'

import t from 'tap'

import { FunctionLocks } from '../../engine/function-locks.js'

t.test('writes on one function run one at a time, in arrival order', async (t) => {
  const locks = new FunctionLocks()
  const log: string[] = []
  let running = 0
  let most = 0
  const job = (name: string, ms: number) =>
    locks.run('f', async () => {
      running += 1
      most = Math.max(most, running)
      log.push(`start ${name}`)
      await sleep(ms)
      log.push(`end ${name}`)
      running -= 1
      return name
    })
  const results = await Promise.all([job('a', 30), job('b', 1), job('c', 10)])
  t.same(results, ['a', 'b', 'c'], 'each caller gets its own result')
  t.equal(most, 1, 'never two at once')
  t.same(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
})

t.test('different functions do not wait for each other', async (t) => {
  const locks = new FunctionLocks()
  const log: string[] = []
  let release: () => void = () => {}
  const slow = locks.run('f', async () => {
    await new Promise<void>((resolve) => (release = resolve))
    log.push('f done')
  })
  await locks.run('g', async () => {
    log.push('g done')
  })
  t.same(log, ['g done'], 'g finished while f still held its lock')
  release()
  await slow
  t.same(log, ['g done', 'f done'])
})

t.test("a failure is its caller's alone: the queue goes on", async (t) => {
  const locks = new FunctionLocks()
  const order: string[] = []
  const failing = locks.run('f', async () => {
    order.push('fail')
    throw new Error('boom')
  })
  const next = locks.run('f', async () => {
    order.push('next')
    return 42
  })
  await t.rejects(failing, { message: 'boom' })
  t.equal(await next, 42, 'the next writer still runs and succeeds')
  t.same(order, ['fail', 'next'])
  t.equal(await locks.run('f', async () => 'later'), 'later', 'and so does one arriving after the queue emptied')
})

t.test('a synchronous throw inside the work is a rejection, not a broken lock', async (t) => {
  const locks = new FunctionLocks()
  await t.rejects(
    locks.run('f', () => {
      throw new Error('sync')
    }),
    { message: 'sync' },
  )
  t.equal(await locks.run('f', async () => 'ok'), 'ok')
})

t.test('many waiters on one function are all served, in order', async (t) => {
  const locks = new FunctionLocks()
  const seen: number[] = []
  await Promise.all(Array.from({ length: 200 }, (_, i) => locks.run('f', async () => void seen.push(i))))
  t.same(
    seen,
    Array.from({ length: 200 }, (_, i) => i),
  )
})

t.test('ids that differ only in case are one function, so one lock', async (t) => {
  // UUIDs are case-insensitive and the engine finds a function by either spelling.
  const locks = new FunctionLocks()
  const id = '6f1d2b7a-93a4-4c55-8a0e-4f0e3c2b1a00'
  let running = 0
  let most = 0
  const job = (spelling: string) =>
    locks.run(spelling, async () => {
      running += 1
      most = Math.max(most, running)
      await sleep(10)
      running -= 1
    })
  await Promise.all([job(id), job(id.toUpperCase())])
  t.equal(most, 1, 'never two writers at once on the same function')
})
