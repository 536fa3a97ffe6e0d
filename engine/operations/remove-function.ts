import type { SettleDeps } from './operation.js'

/**
 * How an undone create and a finished delete of a function both end: its
 * repository and its rows go. Both halves are safe to repeat.
 */
export const removeFunction = {
  settleGit: (deps: SettleDeps, functionId: string) => deps.repos.remove(functionId),
  settleRows: (deps: SettleDeps, functionId: string) => {
    deps.sql.deleteFunction({ id: functionId })
  },
}
