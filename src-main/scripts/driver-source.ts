/**
 * The JavaScript that runs inside QuickJS around the admin's scripts (sandbox-js/driver.js): it
 * builds `entry` objects from a packed batch string, calls one script over the whole batch ("a
 * pass") and packs the results into one string. Host and driver share one Int32Array cell in WebAssembly memory: the
 * driver writes the index of the entry being evaluated there, and the host's interrupt handler
 * reads it without calling into the sandbox (so each call gets its own time limit).
 *
 * Wire format (host -> driver), fields joined by U+0001:
 *   fixed attributes:   dn, field(attr 1), ..., field(attr k)            per entry
 *   dynamic attributes: dn, m, name 1, field 1, ..., name m, field m      per entry
 * A field is '' when absent, U+0003 for one empty value, else the values joined by U+0002.
 * Batches whose values contain U+0000-U+0003 are sent as a JSON array instead, with each field
 * an array of strings (or null).
 * Results (driver -> host), one field per entry joined by U+0001: Active '1' / '0'; Org name ''
 * (none) or the name; Role name '' or the names joined by U+0002; U+0004 = error (details in
 * extras()), U+0005 = skipped.
 */

import { sandboxDriver } from './sandbox-js/driver.js';
import { sandboxHelpers } from './sandbox-js/helpers.js';

/** Separators shared by the host packer and the driver. */
export const WIRE = { field: '\u0001', value: '\u0002', empty: '\u0003', error: '\u0004', skip: '\u0005' } as const;

/** Source of a sloppy-mode function that gives a script's top level its own scope (direct eval). */
export const PROGRAM_WRAPPER_SOURCE = '(function (src) { return eval(src); })';

/**
 * Source of the driver factory `(cellBuffer) => driver`: the checked function of
 * sandbox-js/driver.js, as text. It also installs `console` and freezes every intrinsic.
 */
export const DRIVER_SOURCE = `(${sandboxDriver.toString()})`;

/**
 * Source of the helpers factory (the `ad` and `groups` globals): the checked function of
 * sandbox-js/helpers.js, as text, handed to the driver factory.
 */
export const HELPERS_SOURCE = `(${sandboxHelpers.toString()})`;

/** The computed field that carries an entry's groups, direct and nested, into the sandbox (helpers.js reads it). */
export const GROUPS_FIELD = '$groups';
/** The first value of {@link GROUPS_FIELD}: marks the memberships as loaded (an entry in no group has only it). */
export const GROUPS_LOADED = '\u0006';
