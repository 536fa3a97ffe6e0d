import { deleteVersionTag } from '../../repos/git/version-tags.js'
import { formatTime } from '../time.js'
import type { SettleDeps } from './operation.js'

/** What settling a version's create or delete needs from the journal. */
export interface VersionPayload {
  versionId: string
  number: number
}

/**
 * How an undone create and a finished delete of a version both end: its tag
 * goes, its row stays as a tombstone, so its number stays used. Both halves are
 * safe to repeat.
 */
export const buryVersion = {
  async settleGit(deps: SettleDeps, functionId: string, payload: VersionPayload): Promise<void> {
    if (await deps.repos.exists(functionId)) await deleteVersionTag(deps.repos.gitdir(functionId), payload.number)
    // Settling runs under the function's lock or before the server listens: no write is under way here.
    await deps.repos.sweepTemporaryFiles(functionId)
  },
  settleRows(deps: SettleDeps, _functionId: string, payload: VersionPayload): void {
    deps.sql.buryVersion({ id: payload.versionId, deleted_at: formatTime(deps.now()) })
  },
}
