// The one list of log types (the `type:` of a logs entry). Each type lives in src/logs/<type>/.
import type { LogType } from './handler.js';
import { accessLogType } from './access/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const LOG_TYPES: Record<string, LogType<any, any>> = {};
LOG_TYPES.access = accessLogType;
