// Config keys that command-line flags set, named after node_exporter's flags of the same purpose
// (--path.procfs, --path.sysfs, --path.rootfs, --collector.textfile.directory), so that a
// node_exporter command line keeps working. A flag that is given wins over the file, at start and at
// every reload; the file still sets everything else.
import type { Config } from './schema.js';

export interface FlagOverrides {
  /** host.proc_path */
  procPath?: string;
  /** host.sys_path */
  sysPath?: string;
  /** host.rootfs_path */
  rootfsPath?: string;
  /** host.textfile.directory */
  textfileDirectory?: string;
}

export function applyOverrides(config: Config, o: FlagOverrides): Config {
  const host = { ...config.host };
  if (o.procPath !== undefined) host.proc_path = o.procPath;
  if (o.sysPath !== undefined) host.sys_path = o.sysPath;
  if (o.rootfsPath !== undefined) host.rootfs_path = o.rootfsPath;
  if (o.textfileDirectory !== undefined) host.textfile = { ...host.textfile, directory: o.textfileDirectory };
  return { ...config, host };
}
