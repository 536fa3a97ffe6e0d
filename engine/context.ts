/** Who is asking: every engine call carries one. */
export interface RequestContext {
  projectId: string
  role: 'member' | 'admin'
}

export const DEFAULT_PROJECT = 'default'
