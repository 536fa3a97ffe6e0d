import { versionTagName } from '../../repos/git/version-tags.js'

/** What fsck can find wrong between SQLite and a function's repository. */
export const PROBLEM_TEXT = {
  'repo-missing': 'the repository directory is missing',
  'repo-without-function': 'a repository directory has no function row',
  'function-unsettled': 'the function is half created or half deleted with no operation to settle it',
  'unsettled-operation': 'an operation was reserved but never confirmed or settled',
  'counter-low': 'the version counter is below a version number already used',
  'main-moved': 'refs/heads/main does not name the recorded head commit',
  'head-package-missing': 'the recorded head commit has no package row',
  'commit-missing': 'a recorded commit is missing or damaged',
  'tree-mismatch': "a commit's tree is not the recorded tree",
  'archive-ref-moved': 'the archive ref does not name the recorded archive blob',
  'archive-corrupt': 'the recorded archive blob is missing, damaged, or not the uploaded bytes',
  'archive-ref-without-package': 'an archive ref has no package row',
  'tag-missing': 'a live version has no tag',
  'tag-moved': 'a version tag does not name the recorded tag object',
  'tag-object-wrong': 'the recorded tag object is missing, damaged, or names another commit or name',
  'tag-config-mismatch': "a version tag's Tagstone-* trailers disagree with the version row's config snapshot",
  'version-package-missing': "a version's commit has no package row",
  'version-unconfirmed': 'a version row was never confirmed or its deletion never finished',
  'tag-of-deleted-version': 'a deleted version still has its tag',
  'tag-without-row': 'a tag has no version row',
} as const

export type ProblemKind = keyof typeof PROBLEM_TEXT

/** One disagreement between SQLite and git, named precisely enough to act on. */
export interface Problem {
  function: string
  /** The version number concerned, when there is one. */
  version?: number
  what: ProblemKind
  /** The git ref or object the problem is about, when there is one (`refs/tags/v3`, a commit id). */
  subject?: string
  expected: string | null
  found: string | null
}

export interface Refusal {
  problem: Problem
  why: string
}

export interface FsckReport {
  /** Functions (rows and orphan repositories) looked at. */
  checked: number
  /** Everything found; with `repair`, found before repairing. */
  problems: Problem[]
  repaired: Problem[]
  refused: Refusal[]
  /** With `repair`: what a fresh check still finds afterwards. Without: the same as `problems`. */
  remaining: Problem[]
}

/** One line for a person: where, what, and the evidence. */
export function describeProblem(p: Problem): string {
  const where = [
    p.function,
    p.version === undefined ? '' : ` ${versionTagName(p.version)}`,
    p.subject ? ` ${p.subject}` : '',
  ].join('')
  return `${where}: ${PROBLEM_TEXT[p.what]} (${p.what}; expected ${p.expected ?? 'nothing'}, found ${p.found ?? 'nothing'})`
}

export const sameProblem = (a: Problem, b: Problem) =>
  a.function === b.function &&
  a.version === b.version &&
  a.what === b.what &&
  a.subject === b.subject &&
  a.expected === b.expected &&
  a.found === b.found
