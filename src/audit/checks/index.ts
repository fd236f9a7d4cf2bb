// The one list of checks, like the collector list: adding a check is adding it to its category's
// module. Order is the order of reports within a severity.
import type { Check } from '../types.js';
import { SSH_CHECKS } from './ssh.js';
import { ACCOUNT_CHECKS } from './accounts.js';
import { FIREWALL_CHECKS } from './firewall.js';
import { UPDATE_CHECKS } from './updates.js';
import { FILESYSTEM_CHECKS } from './filesystem.js';
import { NETWORK_CHECKS } from './network.js';
import { KERNEL_CHECKS } from './kernel.js';
import { ENCRYPTION_CHECKS } from './encryption.js';
import { LOGGING_CHECKS } from './logging.js';
import { SERVICE_CHECKS } from './services.js';

export const CHECKS: readonly Check[] = [
  ...SSH_CHECKS,
  ...ACCOUNT_CHECKS,
  ...FIREWALL_CHECKS,
  ...UPDATE_CHECKS,
  ...FILESYSTEM_CHECKS,
  ...NETWORK_CHECKS,
  ...KERNEL_CHECKS,
  ...ENCRYPTION_CHECKS,
  ...LOGGING_CHECKS,
  ...SERVICE_CHECKS,
];

export function findCheck(id: string): Check | undefined {
  return CHECKS.find((c) => c.id === id);
}
