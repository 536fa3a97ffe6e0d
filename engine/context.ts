/** Who is asking: every engine call carries one. */
export interface RequestContext {
  projectId: string
  role: 'member' | 'admin'
  /** Who the audit log names: the token's id, `no-auth`, or `cli`; never a secret. */
  actor: string
}

export const DEFAULT_PROJECT = 'default'

/** The actor of every request served with `--no-auth`. */
export const NO_AUTH_ACTOR = 'no-auth'
/** The actor of changes the `tagstone` admin commands make on a data directory. */
export const CLI_ACTOR = 'cli'

/** An admin command acting on `projectId`'s behalf. */
export const cliContext = (projectId: string): RequestContext => ({ projectId, role: 'admin', actor: CLI_ACTOR })
