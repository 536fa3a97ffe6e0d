import { setTimeout as sleep } from 'node:timers/promises'

import { listTagRefs, tagRef, versionNumberOfTag, versionTagName, versionTagRef } from '../../repos/git/version-tags.js'
import { listArchiveRefs } from '../../repos/inspect-repo.js'
import { archiveRef, MAIN_REF, readMain } from '../../repos/package-refs.js'
import { configOfVersion, trailerMismatches } from '../version-config.js'
import type { AdminDeps } from './admin-deps.js'
import { type FunctionSnapshot, readFunctionSnapshot, sameSnapshot } from './function-snapshot.js'
import {
  checkArchive,
  checkTagObject,
  commitTree,
  expectedArchive,
  expectedTagObject,
  highestRowNumber,
  type Verdict,
} from './git-evidence.js'
import type { Problem, ProblemKind } from './problems.js'

/** Looks taken while the function keeps changing (a running server) before fsck settles for the last one. */
const ATTEMPTS = 5

/**
 * Proves SQLite and git agree on one function. On a running server the rows are
 * read before and after the look at git; if they changed, or an operation is in
 * flight, the look is taken again, a few times, backing off.
 */
export async function checkFunction(d: AdminDeps, id: string): Promise<Problem[]> {
  let found: Problem[] = []
  let snapshot: FunctionSnapshot | null = null
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(25 * 2 ** attempt)
    snapshot = readFunctionSnapshot(d, id)
    if (!snapshot) return []
    if (snapshot.operations.length > 0) continue
    found = await compareWithGit(d, snapshot)
    if (sameSnapshot(snapshot, readFunctionSnapshot(d, id))) return found
  }
  if (snapshot && snapshot.operations.length > 0) {
    // Until it is settled, git is expected to disagree with SQLite for this function.
    return snapshot.operations.map((op) => ({
      function: id,
      what: 'unsettled-operation',
      expected: null,
      found: `operation #${op.id} ${op.kind} ${op.payload} since ${op.created_at}`,
    }))
  }
  return found
}

async function compareWithGit(d: AdminDeps, s: FunctionSnapshot): Promise<Problem[]> {
  const fid = s.fn.id
  const problems: Problem[] = []
  const add = (
    what: ProblemKind,
    fields: { version?: number; subject?: string; expected: string | null; found: string | null },
  ) =>
    problems.push({
      function: fid,
      ...(fields.version === undefined ? {} : { version: fields.version }),
      what,
      ...(fields.subject ? { subject: fields.subject } : {}),
      expected: fields.expected,
      found: fields.found,
    })

  if (s.fn.state !== 'active') {
    add('function-unsettled', { expected: 'active', found: s.fn.state })
    return problems
  }
  const used = highestRowNumber(s.versions)
  if (s.fn.version_counter < used) add('counter-low', { expected: `>= ${used}`, found: String(s.fn.version_counter) })
  const gitdir = d.repos.gitdir(fid)
  if (!(await d.repos.exists(fid))) {
    add('repo-missing', { subject: gitdir, expected: 'a bare repository', found: null })
    return problems
  }
  const [tags, archives, main] = await Promise.all([listTagRefs(gitdir), listArchiveRefs(gitdir), readMain(gitdir)])

  if (main !== s.fn.head_commit) add('main-moved', { subject: MAIN_REF, expected: s.fn.head_commit, found: main })
  if (s.fn.head_commit && !s.packages.some((p) => p.commit_oid === s.fn.head_commit)) {
    add('head-package-missing', { subject: s.fn.head_commit, expected: 'a package row', found: null })
  }

  const trees = new Map<string, Promise<Verdict<{ tree: string }>>>()
  const treeOf = (commit: string) => {
    if (!trees.has(commit)) trees.set(commit, commitTree(gitdir, commit))
    return trees.get(commit)!
  }
  const checkCommit = async (commit: string, recordedTree: string, version?: number) => {
    const got = await treeOf(commit)
    if (!got.ok)
      add('commit-missing', {
        version,
        subject: commit,
        expected: `commit with tree ${recordedTree}`,
        found: got.found,
      })
    else if (got.tree !== recordedTree)
      add('tree-mismatch', { version, subject: commit, expected: recordedTree, found: got.tree })
  }

  for (const pkg of s.packages) {
    await checkCommit(pkg.commit_oid, pkg.tree_oid)
    const ref = archiveRef(pkg.commit_oid)
    const named = archives.get(pkg.commit_oid) ?? null
    if (named !== pkg.archive_blob) add('archive-ref-moved', { subject: ref, expected: pkg.archive_blob, found: named })
    const archive = await checkArchive(gitdir, pkg)
    if (!archive.ok)
      add('archive-corrupt', { subject: pkg.archive_blob, expected: expectedArchive(pkg), found: archive.found })
  }
  for (const [commit, blob] of archives) {
    if (!s.packages.some((p) => p.commit_oid === commit))
      add('archive-ref-without-package', { subject: archiveRef(commit), expected: null, found: blob })
  }

  for (const v of s.versions) {
    const n = v.version_number
    const tag = tags.get(versionTagName(n)) ?? null
    const subject = versionTagRef(n)
    if (v.state === 'deleted') {
      if (tag) add('tag-of-deleted-version', { version: n, subject, expected: null, found: tag })
      continue
    }
    if (v.state !== 'live') {
      add('version-unconfirmed', { version: n, expected: 'live or deleted', found: v.state })
      continue
    }
    const object = await checkTagObject(gitdir, v)
    if (!object.ok)
      add('tag-object-wrong', {
        version: n,
        subject: v.tag_oid ?? subject,
        expected: expectedTagObject(v),
        found: object.found,
      })
    const pkg = s.packages.find((p) => p.commit_oid === v.commit_oid)
    const config = configOfVersion(v)
    if (object.ok && config && pkg) {
      const wrong = trailerMismatches(object.message, config, pkg.sha256)
      if (wrong.length > 0)
        add('tag-config-mismatch', {
          version: n,
          subject: v.tag_oid ?? subject,
          expected: 'trailers equal to the row',
          found: wrong.join('; '),
        })
    }
    if (!tag) add('tag-missing', { version: n, subject, expected: v.tag_oid, found: null })
    else if (tag !== v.tag_oid) add('tag-moved', { version: n, subject, expected: v.tag_oid, found: tag })
    await checkCommit(v.commit_oid, v.tree_oid, n)
    if (!pkg)
      add('version-package-missing', { version: n, subject: v.commit_oid, expected: 'a package row', found: null })
  }
  const rows = new Set(s.versions.map((v) => versionTagName(v.version_number)))
  for (const [name, oid] of tags) {
    if (rows.has(name)) continue
    const n = versionNumberOfTag(name)
    add('tag-without-row', {
      ...(n === undefined ? {} : { version: n }),
      subject: tagRef(name),
      expected: null,
      found: oid,
    })
  }
  return problems
}
