import { parseArgs } from 'node:util'

import { HELP_OPTION, type Options, parseCommandArgs, type ParsedArgs, usageError } from './args.js'
import { EXIT_CANNOT_RUN, EXIT_OK, exitCodeOf, isUsageError } from './exit-codes.js'

/** One form of a command for its usage: the line after `tagstone`, and what it does. */
export interface UsageEntry {
  synopsis: string
  about: string
}

/** A command, or a group of them, as its caller sees it. */
export interface Command {
  /** As typed after `tagstone`, e.g. `admin fsck`. */
  name: string
  /** What it parses; a group looks past these for its subcommand's name. */
  options: Options
  /** Every form it takes (a group: its subcommands'), for `--help` and `tagstone help`. */
  usage(): Promise<UsageEntry[]>
  /** Runs it to its exit code; it has already said on stderr what went wrong. */
  run(args: string[]): Promise<number>
}

export interface CommandSpec<O extends Options> extends UsageEntry {
  name: string
  options: O
  run(parsed: ParsedArgs<O>): Promise<number>
}

/** A command whose arguments go through the one argument helper and whose failures follow the one exit-code rule. */
export function defineCommand<O extends Options>(spec: CommandSpec<O>): Command {
  const entries = [{ synopsis: spec.synopsis, about: spec.about }]
  return {
    name: spec.name,
    options: spec.options,
    usage: async () => entries,
    run: async (args) => {
      try {
        const parsed = parseCommandArgs(args, spec.options)
        if (parsed.help) return printUsage(entries)
        return await spec.run(parsed)
      } catch (err) {
        return reportFailure(spec.name, usageText(entries), err)
      }
    },
  }
}

export interface GroupSpec {
  name: string
  /** How its subcommands are called in messages: `unknown <noun> command`. */
  noun: string
  commands: Record<string, () => Promise<Command>>
  /** Options that may come before the subcommand's name, so that their values are not taken for it. */
  leading?: Options
}

/** `tagstone <group> <subcommand> ...`: finds the subcommand and hands it the other arguments. */
export function defineGroup(spec: GroupSpec): Command {
  const usage = async () =>
    (await Promise.all(Object.values(spec.commands).map(async (load) => (await load()).usage()))).flat()
  return {
    name: spec.name,
    options: spec.leading ?? {},
    usage,
    run: async (args) => {
      const { name, rest, help } = splitSubcommand(args, spec.leading ?? {})
      const load = name !== undefined && Object.hasOwn(spec.commands, name) ? spec.commands[name] : undefined
      if (load) return (await load()).run(rest)
      if (name === undefined && help) return printUsage(await usage())
      const message =
        name === undefined
          ? `${/^[aeiou]/.test(spec.noun) ? 'an' : 'a'} ${spec.noun} command is needed`
          : `unknown ${spec.noun} command '${name}'`
      return reportFailure(spec.name, usageText(await usage()), usageError(message))
    },
  }
}

/** The first positional argument (the subcommand's name), the arguments without it, and whether help was asked for. */
function splitSubcommand(args: string[], leading: Options) {
  const { tokens } = parseArgs({
    args,
    options: { ...leading, ...HELP_OPTION },
    allowPositionals: true,
    strict: false,
    tokens: true,
  })
  const first = tokens.find((t) => t.kind === 'positional')
  const help = tokens.some((t) => t.kind === 'option' && t.name === 'help')
  if (!first) return { name: undefined, rest: args, help }
  return { name: first.value, rest: args.filter((_, i) => i !== first.index), help }
}

/** Usage text: one form as `usage: tagstone ...`, several as a list. */
export function usageText(entries: UsageEntry[]): string {
  if (entries.length === 1) return `usage: tagstone ${entries[0]!.synopsis}\n${indent(entries[0]!.about, 2)}`
  return `usage:\n${entries.map((e) => `  tagstone ${e.synopsis}\n${indent(e.about, 6)}`).join('')}`
}

export const indent = (text: string, spaces: number): string =>
  text.replace(/^(?=.)/gm, ' '.repeat(spaces)).replace(/\n?$/, '\n')

function printUsage(entries: UsageEntry[]): number {
  process.stdout.write(usageText(entries))
  return EXIT_OK
}

/** `tagstone <command>: <message>` on stderr, and the usage after a usage error; the exit code by the one rule. */
export function reportFailure(name: string, usage: string, err: unknown): number {
  const isUsage = isUsageError(err)
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`${['tagstone', name].filter(Boolean).join(' ')}: ${message}\n${isUsage ? usage : ''}`)
  return isUsage ? EXIT_CANNOT_RUN : exitCodeOf(err)
}
