// `hostwatch fim status|accept`. PLACEHOLDER: implemented with file integrity monitoring.
import type { Command } from 'commander';

export interface FimCommandDeps {
  defaultStateDir: () => string;
  reportError: (err: unknown) => number;
}

export function registerFimCommands(_program: Command, _deps: FimCommandDeps): void {}
