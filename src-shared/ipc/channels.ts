/** The single request/response channel. */
export const INVOKE_CHANNEL = 'lss:invoke';
/** The single main-to-renderer event channel. */
export const EVENT_CHANNEL = 'lss:event';
