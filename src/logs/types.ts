// The one list of log types (the `type:` of a logs entry). Each type lives in src/logs/<type>/.
import type { LogType } from './handler.js';
import { accessLogType } from './access/index.js';
import { patternLogType } from './pattern/index.js';
import { authLogType } from './auth/index.js';
import { firewallLogType } from './firewall/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const LOG_TYPES: Record<string, LogType<any, any>> = {};
LOG_TYPES.access = accessLogType;
LOG_TYPES.pattern = patternLogType;
LOG_TYPES.auth = authLogType;
LOG_TYPES.firewall = firewallLogType;
