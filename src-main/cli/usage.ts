import { defaultStorePath } from '../store/store-path';
import { APP_VERSION } from '../version';
import type { CommandSpec, OptionSpec } from './command';
import { commandsOf, COMMANDS, findCommand } from './commands';
import { GLOBAL_OPTIONS } from './global-options';

/** The options the help lists (hidden ones are accepted but not shown). */
function shown(options: Readonly<Record<string, OptionSpec>>): Record<string, OptionSpec> {
  return Object.fromEntries(Object.entries(options).filter(([, o]) => !o.hidden));
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const heads = Object.entries(options).map(([name, o]) => `${o.short ? `-${o.short}, ` : '    '}--${name}${o.valueName ? ` ${o.valueName}` : ''}`);
  const width = Math.max(...heads.map((h) => h.length));
  return Object.values(options).map((o, i) => `  ${heads[i].padEnd(width)}  ${o.help}`);
}

function commandLine(c: CommandSpec): string {
  return [c.group, c.name, ...c.args].filter((w) => w !== '').join(' ');
}

function commandList(commands: readonly CommandSpec[], withHelp: boolean): string[] {
  const rows = commands.map((c) => [commandLine(c), c.summary]);
  if (withHelp) rows.push(['help [COMMAND]', 'Show help for a command']);
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}

function globalOptionsBlock(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = env.LDAP_SYNC_DB?.trim() ? `LDAP_SYNC_DB is set: ${env.LDAP_SYNC_DB}` : 'LDAP_SYNC_DB is not set';
  return ['Global options:', ...optionLines(GLOBAL_OPTIONS), '', `The app's store: ${defaultStorePath({ env })} (${fromEnv})`];
}

/** The whole CLI's help. */
export function mainUsage(env: NodeJS.ProcessEnv): string {
  return [
    `ldap-sync ${APP_VERSION}: the command line of LDAP Sync Studio, sharing the desktop app's store.`,
    '',
    'Usage: ldap-sync [--db FILE] [--json] <command> [arguments]',
    '',
    'Commands:',
    ...commandList(COMMANDS, true),
    '',
    ...globalOptionsBlock(env),
    '',
    'Exit status: 0 success, 1 failure, 2 usage error, 3 sync held for approval, 130 cancelled.',
    'Run "ldap-sync help <command>" for details, e.g. ldap-sync help config apply',
    '',
  ].join('\n');
}

/** The help of one group (`ldap-sync help config`). */
export function groupUsage(group: string, env: NodeJS.ProcessEnv): string {
  return [`Usage: ldap-sync ${group} <command> [arguments]`, '', 'Commands:', ...commandList(commandsOf(group), false), '', ...globalOptionsBlock(env), ''].join('\n');
}

/** The help of one command (`ldap-sync help config apply`); a group's own command also lists the group's other commands. */
export function commandUsage(c: CommandSpec, env: NodeJS.ProcessEnv): string {
  const options = shown(c.options);
  const own = Object.keys(options).map((name) => ` [--${name}${options[name].valueName ? ` ${options[name].valueName}` : ''}]`);
  const others = c.name === '' ? commandsOf(c.group).filter((o) => o !== c) : [];
  return [
    `Usage: ldap-sync ${commandLine(c)}${own.join('')} [--json] [--db FILE]`,
    '',
    c.summary + '.',
    '',
    c.description,
    '',
    ...(own.length ? ['Options:', ...optionLines(options), ''] : []),
    ...(others.length ? [`Other "${c.group}" commands:`, ...commandList(others, false), ''] : []),
    ...globalOptionsBlock(env),
    '',
  ].join('\n');
}

/** The help for a topic: [] the whole CLI, [group], or [group, command]. Undefined for an unknown topic. */
export function usageFor(topic: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  if (topic.length === 0) return mainUsage(env);
  if (topic.length === 1) {
    const single = findCommand(topic[0], '');
    if (single) return commandUsage(single, env);
    return commandsOf(topic[0]).length ? groupUsage(topic[0], env) : undefined;
  }
  const c = topic.length === 2 ? findCommand(topic[0], topic[1]) : undefined;
  return c && commandUsage(c, env);
}
