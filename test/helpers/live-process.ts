import { type ChildProcess, spawn } from 'node:child_process'

import type { Test } from 'tap'

/**
 * Another process that stays alive until the test ends: the pid a lock file names when it stands
 * for a live holder (this process's own pid would not do: a lock naming it that it does not hold
 * is an earlier process's, and stale).
 */
export function liveProcess(t: Test): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' })
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  return child
}
