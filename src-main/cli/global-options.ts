import type { OptionSpec } from './command';

/** Options every command accepts. */
export const GLOBAL_OPTIONS = {
  db: { type: 'string', valueName: 'FILE', help: 'The store to use (default: $LDAP_SYNC_DB, else the app\'s store)' },
  json: { type: 'boolean', help: 'Print one JSON document on stdout (errors too)' },
  debug: { type: 'boolean', help: 'Show the stack trace of an unexpected error' },
  help: { type: 'boolean', short: 'h', help: 'Show help' },
  version: { type: 'boolean', help: 'Show the version' },
} as const satisfies Record<string, OptionSpec>;
