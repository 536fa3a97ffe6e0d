import { type FunctionInspection, inspectFunction } from '../../engine/admin/inspect.js'
import { COMMON_OPTIONS, expectNoMore, usageError } from '../args.js'
import { defineCommand } from '../command.js'
import { EXIT_OK } from '../exit-codes.js'

export const inspectCommand = defineCommand({
  name: 'admin inspect',
  synopsis: 'admin inspect <function_id> [--json] [--data DIR]',
  about: `Shows one function: its fields, every version row (deleted ones too), aliases, main and its repository.
Exit 1 if there is no such function.`,
  options: COMMON_OPTIONS,
  run: async ({ positionals, dataDir, json }) => {
    const [id, ...extra] = positionals
    if (!id) throw usageError('a function id is needed')
    expectNoMore(extra)
    const found = await inspectFunction(dataDir, id)
    process.stdout.write(json ? `${JSON.stringify(found)}\n` : text(found))
    return EXIT_OK
  },
})

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
