import { writePackageCommit } from '../../repos/write-package-commit.js'
import type { EngineDeps } from '../deps.js'
import type { PreparedPackage } from '../prepare-package.js'
import type { PackageRow } from '../store/rows.js'
import { formatTime } from '../time.js'

/**
 * Writes an upload's objects: the unpacked package as a commit on top of
 * `previous`, and the archive blob. No ref names them yet, so a crash leaves only
 * unreachable objects; the caller reserves, publishes, then confirms the row.
 */
export async function writeUpload(
  deps: EngineDeps,
  functionId: string,
  prepared: PreparedPackage,
  previous: string | null,
  at: Date,
): Promise<PackageRow> {
  const gitdir = deps.repos.gitdir(functionId)
  const written = await writePackageCommit(gitdir, {
    files: prepared.files,
    archive: prepared.archive,
    parent: previous,
    message: `Upload package ${prepared.md5sum}\n\nsha256 ${prepared.sha256}\nsize ${prepared.archive.length}`,
    time: Math.floor(at.getTime() / 1000),
  })
  return {
    function_id: functionId,
    commit_oid: written.commit,
    tree_oid: written.tree,
    parent_commit: previous,
    archive_blob: written.archiveBlob,
    md5sum: prepared.md5sum,
    sha256: prepared.sha256,
    size: prepared.archive.length,
    created_at: formatTime(at),
  }
}
