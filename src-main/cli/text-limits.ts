// How much of a long result the text output shows. Kept apart from the formatters so a command's
// help can quote them without loading the formatters (and zod) at start.

/** How many rows of a plan the text output of simulate and sync shows. */
export const TEXT_CHANGE_LIMIT = 50;

/** How many differences `snapshot compare` prints as text (--json has up to the service's 1000). */
export const TEXT_DIFFERENCE_LIMIT = 50;
