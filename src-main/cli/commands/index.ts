import type { CommandSpec } from '../command';
import { configApply } from './config-apply';
import { configExport } from './config-export';
import { daemon } from './daemon';
import { history, historyShow } from './history';
import { preview } from './preview';
import { serverList } from './server-list';
import { serverTest } from './server-test';
import { simulate, sync } from './sync-run';
import { users, usersDeactivate, usersReactivate } from './users';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  configApply,
  configExport,
  serverList,
  serverTest,
  preview,
  simulate,
  sync,
  users,
  usersDeactivate,
  usersReactivate,
  history,
  historyShow,
  daemon,
];

/** The command groups (`config`, `server`, `preview`, `sync`...), in help order. */
export const GROUPS: readonly string[] = [...new Set(COMMANDS.map((c) => c.group))];

/** The commands of one group. */
export function commandsOf(group: string): CommandSpec[] {
  return COMMANDS.filter((c) => c.group === group);
}

/** The command `group name`, or undefined. */
export function findCommand(group: string, name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.group === group && c.name === name);
}
