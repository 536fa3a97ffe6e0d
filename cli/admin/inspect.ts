import { type FunctionInspection, inspectFunction } from '../../engine/admin/inspect.js'
import type { AdminCommand } from '../admin.js'
import { parseAdminArgs, reportFailure } from './admin-args.js'

const USAGE = `usage: tagstone admin inspect <function_id> [--json] [--data DIR]
  Shows one function: its fields, every version row (deleted ones too), aliases, main and its repository.
`

export const inspectCommand: AdminCommand = async (args) => {
  const parsed = parseAdminArgs('inspect', USAGE, args, {})
  if (!parsed) return 2
  const [id, ...extra] = parsed.positionals
  if (!id || extra.length > 0) {
    process.stderr.write(
      `tagstone admin inspect: ${id ? `unexpected argument '${extra[0]}'` : 'a function id is needed'}\n${USAGE}`,
    )
    return 2
  }
  let found: FunctionInspection
  try {
    found = await inspectFunction(parsed.dataDir, id)
  } catch (err) {
    if ((err as { code?: string }).code === 'FUNCTION_NOT_FOUND') {
      process.stderr.write(`tagstone admin inspect: ${(err as Error).message}\n`)
      return 1
    }
    return reportFailure('inspect', err)
  }
  process.stdout.write(parsed.json ? `${JSON.stringify(found)}\n` : text(found))
  return 0
}

function text(x: FunctionInspection): string {
  const f = x.function
  const lines = [
    `function ${f.id} (${f.name ?? 'no name'}), project ${f.project_id}, ${f.state}`,
    `  runtime ${f.runtime_id ?? '-'}  entry ${f.entry}  cpu ${f.cpu}  memory ${f.memory_size}  timeout ${f.timeout}`,
    `  created ${f.created_at}  updated ${f.updated_at ?? '-'}  version counter ${f.version_counter}  packages ${x.packages}`,
    `  main ${x.main.commit ?? '-'} (${x.main.history_length} commit(s)${x.main.history_complete ? '' : ', history broken'})`,
    `  repo ${x.repo.path} ${x.repo.exists ? `${x.repo.bytes} bytes` : 'MISSING'}`,
    `versions (${x.versions.length}):`,
    ...x.versions.map(
      (v) =>
        `  ${v.tag.padEnd(5)} ${v.state.padEnd(8)} ${v.status.padEnd(9)} commit ${v.commit} tree ${v.tree} size ${v.size ?? '-'} created ${v.created_at}${v.deleted_at ? ` deleted ${v.deleted_at}` : ''}`,
    ),
    `aliases (${x.aliases.length}):`,
    ...x.aliases.map((a) => `  ${a.name} (project ${a.project_id}) -> version ${a.function_version}`),
  ]
  if (x.operations.length)
    lines.push(
      `unsettled operations (${x.operations.length}):`,
      ...x.operations.map((o) => `  #${o.id} ${o.kind} since ${o.created_at}`),
    )
  return `${lines.join('\n')}\n`
}
