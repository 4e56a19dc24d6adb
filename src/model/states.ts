/**
 * States after which a job does not change any more.
 */
const TERMINAL_STATES = new Set([
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
  'PARTIALLY_SUCCEEDED'
]);

/**
 * Whether a job in this state has ended.
 */
export function isTerminal(state: string): boolean {
  return TERMINAL_STATES.has(state);
}
