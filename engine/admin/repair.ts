import { deleteRef, writeRef } from '../../repos/git/refs.js'
import {
  deleteVersionTag,
  versionNumberOfTag,
  writeVersionTagObject,
  writeVersionTagRef,
} from '../../repos/git/version-tags.js'
import { archiveRef, MAIN_REF } from '../../repos/package-refs.js'
import { formatTime } from '../time.js'
import { configOfVersion, versionTagMessage } from '../version-config.js'
import type { RepairDeps } from './admin-deps.js'
import { type FunctionSnapshot, readFunctionSnapshot } from './function-snapshot.js'
import { checkArchive, checkTagObject, commitTree, highestRowNumber, isTagstoneTag } from './git-evidence.js'
import type { Problem, ProblemKind } from './problems.js'

/** A repair either happened, or was refused for the reason given. */
export type RepairOutcome = { repaired: true } | { repaired: false; why: string }

const done: RepairOutcome = { repaired: true }
const refuse = (why: string): RepairOutcome => ({ repaired: false, why })

const FROM_BACKUP = 'restore it from a backup'

/** Problems no tool can mend, and why. */
const REFUSALS: Partial<Record<ProblemKind, (p: Problem) => string>> = {
  'repo-missing': (p) =>
    `the function's code exists nowhere else; ${FROM_BACKUP} (${p.subject}), or delete the function through the API if it is meant to go`,
  'repo-without-function': () =>
    "no function row owns this repository, so it is not tagstone's to delete; move it out of repos/ by hand, or restore tagstone.db if the row was lost",
  'function-unsettled': (p) =>
    `the function is '${p.found}' with no operation saying how to finish; delete it through the API, or restore tagstone.db from a backup`,
  'head-package-missing': () =>
    "the upload's md5, sha256 and size were only in SQLite; restore tagstone.db from a backup",
  'commit-missing': (p) =>
    `a commit's id covers the whole package, so it cannot be rebuilt from SQLite; restore the repository from a backup (commit ${p.subject})`,
  'tree-mismatch': () =>
    'a commit id fixes its tree, so either the row or the object was altered; restore the altered one from a backup',
  'archive-corrupt': (p) =>
    `the uploaded bytes cannot be rebuilt (the zip is not derivable from the tree); downloads of this package fail until the blob ${p.subject} is restored from a backup`,
  'tag-config-mismatch': () =>
    "the tag object's id covers its trailers and SQLite holds the snapshot, so one of them was altered; restore the altered one from a backup",
  'version-package-missing': () =>
    "the version's package row (md5, archive) was only in SQLite; restore tagstone.db from a backup",
}

type Fixer = (d: RepairDeps, s: FunctionSnapshot, p: Problem) => Promise<RepairOutcome>

const FIXERS: Partial<Record<ProblemKind, Fixer>> = {
  'counter-low': async (d, s) => {
    d.sql.raiseVersionCounter({ id: s.fn.id, version_counter: highestRowNumber(s.versions) })
    return done
  },

  'main-moved': async (d, s) => {
    const head = s.fn.head_commit
    if (!head) return refuse('SQLite records no head commit to put main back on')
    const commit = await commitTree(d.repos.gitdir(s.fn.id), head)
    if (!commit.ok)
      return refuse(
        `the recorded head commit ${head} is not usable (${commit.found}); restore the repository from a backup`,
      )
    await writeRef(d.repos.gitdir(s.fn.id), MAIN_REF, head)
    return done
  },

  'archive-ref-moved': async (d, s, p) => {
    const pkg = s.packages.find((x) => archiveRef(x.commit_oid) === p.subject)
    if (!pkg) return refuse('the package row is gone')
    const archive = await checkArchive(d.repos.gitdir(s.fn.id), pkg)
    if (!archive.ok)
      return refuse(`the recorded archive blob is not the upload either (${archive.found}); restore it from a backup`)
    await writeRef(d.repos.gitdir(s.fn.id), archiveRef(pkg.commit_oid), pkg.archive_blob)
    return done
  },

  'archive-ref-without-package': async (d, s, p) => {
    // No package row: the leftover of an upload that was never confirmed, invisible to every client.
    await deleteRef(d.repos.gitdir(s.fn.id), p.subject!)
    return done
  },

  'tag-object-wrong': (d, s, p) => restoreVersionTag(d, s, p.version!, { refToo: false }),
  'tag-missing': (d, s, p) => restoreVersionTag(d, s, p.version!, { refToo: true }),
  'tag-moved': (d, s, p) => restoreVersionTag(d, s, p.version!, { refToo: true }),

  'version-unconfirmed': async (d, s, p) => {
    // Pending: the client never saw it succeed. Deleting: the client asked for it to go. Either
    // way the version goes, and its row stays as a tombstone so the number is never reused.
    const v = s.versions.find((x) => x.version_number === p.version)
    if (!v) return refuse('the version row is gone')
    await deleteVersionTag(d.repos.gitdir(s.fn.id), v.version_number)
    d.sql.buryVersion({ id: v.id, deleted_at: formatTime(d.now()) })
    return done
  },

  'tag-of-deleted-version': async (d, s, p) => {
    await deleteRef(d.repos.gitdir(s.fn.id), p.subject!)
    return done
  },

  'tag-without-row': async (d, s, p) => {
    const gitdir = d.repos.gitdir(s.fn.id)
    const name = p.subject!.slice('refs/tags/'.length)
    const n = versionNumberOfTag(name)
    const ours = n !== undefined && (await isTagstoneTag(gitdir, name, p.found!))
    if (ours && n <= s.fn.version_counter) {
      return refuse(
        `the tag is tagstone's own and SQLite handed out number ${n}, so version ${n} existed and its row was removed from SQLite; ` +
          `recreating the row would invent its id, status and times, and removing the tag could destroy a version clients were told exists: ` +
          `restore tagstone.db from a backup, or remove the tag by hand (git --git-dir=${gitdir} update-ref -d ${p.subject}) if the version is meant to be gone`,
      )
    }
    if (ours) {
      // A version this database never handed out: made after the backup it was restored from. SQLite
      // says which versions exist, so the tag goes; its number stays used, as clients may have seen it.
      d.sql.raiseVersionCounter({ id: s.fn.id, version_counter: n })
    }
    // Otherwise not a tag tagstone made: no number was handed out for it and no client knows it as a version.
    await deleteRef(gitdir, p.subject!)
    return done
  },
}

/**
 * Rights a version's tag from what SQLite recorded: the tag object is rebuilt
 * from the row when it is missing, and accepted only if it hashes to the
 * recorded id (proof it is the very same tag); then the ref is put back on it.
 */
async function restoreVersionTag(
  d: RepairDeps,
  s: FunctionSnapshot,
  n: number,
  options: { refToo: boolean },
): Promise<RepairOutcome> {
  const v = s.versions.find((x) => x.version_number === n && x.state === 'live')
  if (!v?.tag_oid) return refuse('no live version row with a recorded tag object')
  const gitdir = d.repos.gitdir(s.fn.id)
  let object = await checkTagObject(gitdir, v)
  if (!object.ok && object.missing) {
    const time = Date.parse(`${v.created_at.replace(' ', 'T')}Z`) / 1000
    const sha256 = s.packages.find((x) => x.commit_oid === v.commit_oid)?.sha256 ?? ''
    const rebuilt = await writeVersionTagObject(gitdir, {
      number: n,
      commit: v.commit_oid,
      message: versionTagMessage(v.description, configOfVersion(v), sha256),
      time,
    })
    if (rebuilt !== v.tag_oid)
      return refuse(
        `the tag object rebuilt from the row hashes to ${rebuilt}, not the recorded ${v.tag_oid}: the row was altered; restore tagstone.db from a backup`,
      )
    object = await checkTagObject(gitdir, v)
  }
  if (!object.ok) {
    return refuse(
      object.found.includes('does not read') || object.found.includes('hashes to')
        ? `the recorded tag object is damaged (${object.found}); remove its loose file and run --repair again to rebuild it from the row`
        : `the recorded tag object does not match the row (${object.found}): SQLite was altered; restore tagstone.db from a backup`,
    )
  }
  if (options.refToo) await writeVersionTagRef(gitdir, n, v.tag_oid)
  return done
}

/** Repairs one problem if that is safe, from a fresh read of the function; says why not otherwise. */
export async function repairProblem(d: RepairDeps, p: Problem): Promise<RepairOutcome> {
  const refusal = REFUSALS[p.what]
  if (refusal) return refuse(refusal(p))
  const fix = FIXERS[p.what]
  if (!fix) return refuse(`no safe repair for ${p.what}`)
  const snapshot = readFunctionSnapshot(d, p.function)
  if (!snapshot) return refuse('the function row is gone')
  try {
    return await fix(d, snapshot, p)
  } catch (err) {
    return refuse(`the repair failed: ${(err as Error).message}`)
  }
}
