import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandSpec, OptionSpec } from './command';
import { COMMANDS, commandsOf, findCommand, GROUPS } from './commands';
import { GLOBAL_OPTIONS } from './global-options';
import { UsageError } from './io';

/** What the command line asks for. */
export type Invocation =
  | { kind: 'help'; topic: string[] }
  | { kind: 'version' }
  | { kind: 'command'; command: CommandSpec; args: string[]; flags: Record<string, string | boolean | undefined> };

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

function toParseOptions(specs: Readonly<Record<string, OptionSpec>>): ParseOptions {
  return Object.fromEntries(Object.entries(specs).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
}

const ALL_OPTIONS: ParseOptions = toParseOptions(Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options)));

/** Parses strictly with the given options; parseArgs' errors become usage errors about `topic`. */
function strictParse(argv: readonly string[], options: ParseOptions, topic: string[]) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith('ERR_PARSE_ARGS')) throw err;
    const unknown = /Unknown option '([^']+)'/.exec(e.message);
    const where = topic.length ? `"ldap-sync ${topic.join(' ')}"` : 'ldap-sync';
    throw new UsageError(unknown ? `unknown option ${unknown[1]} for ${where}` : e.message.split('. ')[0], topic);
  }
}

function checkHelpTopic(topic: string[]): string[] {
  const [group, name, ...rest] = topic;
  if (group === undefined || group === 'help') return [];
  if (!GROUPS.includes(group)) throw new UsageError(`unknown command "${group}"`);
  if (findCommand(group, '') && (name === undefined || !findCommand(group, name))) {
    if (name !== undefined) {
      if (commandsOf(group).length > 1) throw new UsageError(`unknown command "${group} ${name}"`, [group]);
      throw new UsageError(`unexpected argument "${name}" after "help ${group}"`, [group]);
    }
    return [group];
  }
  if (name !== undefined && !findCommand(group, name)) throw new UsageError(`unknown command "${group} ${name}"`, [group]);
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}" after "help ${group} ${name}"`, [group, name]);
  return name === undefined ? [group] : [group, name];
}

/**
 * Works out the command, its arguments and options from argv (without `node` and the script).
 * Throws UsageError for an unknown command or option, or missing or extra arguments.
 */
export function parseInvocation(argv: readonly string[]): Invocation {
  // A lenient pass over every known option finds the command words wherever options are placed.
  const lenient = parseArgs({ args: [...argv], options: ALL_OPTIONS, strict: false, allowPositionals: true });
  const [group, name] = lenient.positionals;

  if (group === 'help') {
    const globals = strictParse(argv, toParseOptions(GLOBAL_OPTIONS), []);
    return { kind: 'help', topic: checkHelpTopic(globals.positionals.slice(1)) };
  }
  if (group === undefined) {
    const globals = strictParse(argv, toParseOptions(GLOBAL_OPTIONS), []);
    if (globals.values.help) return { kind: 'help', topic: [] };
    if (globals.values.version) return { kind: 'version' };
    throw new UsageError('no command given');
  }
  if (!GROUPS.includes(group)) throw new UsageError(`unknown command "${group}"`);
  // A group may have a command of its own (`history`) next to sub-commands (`history show RUN_ID`).
  const sub = name === undefined || name === '' ? undefined : findCommand(group, name);
  const single = findCommand(group, '');
  if (single && !sub) {
    if (name !== undefined && single.args.length === 0 && commandsOf(group).length > 1) {
      throw new UsageError(`unknown command "${group} ${name}"`, [group]);
    }
    return commandInvocation(argv, single, [group], 1);
  }
  if (name === undefined) {
    if (lenient.values.help) return { kind: 'help', topic: [group] };
    throw new UsageError(`"${group}" needs a command: ${commandsOf(group).map((c) => c.name).join(', ')}`, [group]);
  }
  const command = findCommand(group, name);
  if (!command) throw new UsageError(`unknown command "${group} ${name}"`, [group]);
  return commandInvocation(argv, command, [group, name], 2);
}

/** Parses a known command's options and positional arguments (after its `words` command words). */
function commandInvocation(argv: readonly string[], command: CommandSpec, topic: string[], words: number): Invocation {
  const parsed = strictParse(argv, toParseOptions({ ...GLOBAL_OPTIONS, ...command.options }), topic);
  if (parsed.values.help) return { kind: 'help', topic };
  const args = parsed.positionals.slice(words);
  if (args.length < command.args.length) throw new UsageError(`missing ${command.args.slice(args.length).join(' ')}`, topic);
  if (args.length > command.args.length) throw new UsageError(`unexpected argument "${args[command.args.length]}"`, topic);
  return { kind: 'command', command, args, flags: parsed.values as Record<string, string | boolean | undefined> };
}
