import type { CommandSpec } from '../command';
import { configApply } from './config-apply';
import { configExport } from './config-export';
import { daemon } from './daemon';
import { history, historyDiscard, historyShow } from './history';
import { preview } from './preview';
import { sampleInstall, sampleRemove } from './sample';
import { scriptTest } from './script-test';
import { serverList } from './server-list';
import { serverTest } from './server-test';
import { serverDetectBase } from './server-detect-base';
import { snapshotCapture, snapshotCompare, snapshotDelete, snapshotImport, snapshotList } from './snapshot';
import { snapshotExport } from './snapshot-export';
import { simulate, sync } from './sync-run';
import { storeBackup, storeCheck } from './store';
import { users, usersDeactivate, usersReactivate } from './users';
import { usersRelease, usersRelink, usersRelinkRun } from './users-relink';
import { auth } from './auth';
import { orgsList, orgsRotateKey, orgsSetAuth } from './orgs';
import { usersAdd, usersPasswd } from './users-add';
import { usersExport, usersImport } from './users-csv';
import { usersShow } from './users-show';

/**
 * Every command, in the order the help lists them. Parsing and the help need all of them, so a
 * command file imports only light modules at its top (names, options, help text); its `run()`
 * imports the rest (`await import(...)`). scripts/build-cli.mjs fails the build when `--version`
 * would load zod, ldapts, better-sqlite3 or QuickJS.
 */
export const COMMANDS: readonly CommandSpec[] = [
  configApply,
  configExport,
  serverList,
  serverTest,
  serverDetectBase,
  preview,
  simulate,
  sync,
  snapshotCapture,
  snapshotImport,
  snapshotExport,
  snapshotList,
  snapshotDelete,
  snapshotCompare,
  scriptTest,
  sampleInstall,
  sampleRemove,
  users,
  usersDeactivate,
  usersReactivate,
  usersRelink,
  usersRelinkRun,
  usersRelease,
  usersShow,
  usersAdd,
  usersPasswd,
  usersImport,
  usersExport,
  auth,
  orgsList,
  orgsRotateKey,
  orgsSetAuth,
  history,
  historyShow,
  historyDiscard,
  storeCheck,
  storeBackup,
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
