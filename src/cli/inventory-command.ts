// The `hostwatch inventory` command line; the report itself (parsers, zod, YAML) is imported when it runs.
import { Command, Option } from 'commander';

export function inventoryCommand(reportError: (err: unknown) => number): Command {
  const inventory = new Command('inventory').description(
    'asset inventory exports (Qualys, CrowdStrike Falcon): fleet numbers without running the exporter',
  );
  inventory
    .command('report')
    .description(
      'import the configured inventory exports once and print hosts by source, first-seen age, staleness, OS and duplicates (the numbers the inventory collector exports)',
    )
    .option('--config.file <path>', 'hostwatch configuration file (its inventory: section; enabled need not be set)', 'hostwatch.yml')
    .option('--directory <dir>', 'read the exports from this directory instead of inventory.directory')
    .addOption(new Option('--output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--at <time>', 'compute ages and staleness at this ISO 8601 time instead of now')
    .option('--no-reconcile', 'do not ask Prometheus (inventory.reconcile.prometheus_url) which hosts report')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      try {
        const at = opts.at === undefined ? undefined : Date.parse(String(opts.at));
        if (at !== undefined && Number.isNaN(at)) throw new Error(`--at: not an ISO 8601 time: ${String(opts.at)}`);
        const { runInventoryReport } = await import('./inventory.js');
        process.exitCode = await runInventoryReport({
          configFile: String(opts['config.file']),
          output: opts.output as 'table' | 'json',
          directory: opts.directory as string | undefined,
          at,
          reconcile: opts.reconcile !== false,
        });
      } catch (err) {
        process.exitCode = reportError(err);
      }
    });
  return inventory;
}
