// A missing tool must fail the stack tests loudly, with the command that installs it.
import { describe, expect, it } from 'vitest';
import { requireTool, run } from './tools.js';

describe('stack test tools', () => {
  it('a missing binary fails with the apt-get command, never a silent skip', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requireTool('promtool')).toThrow('promtool is not installed: run `sudo apt-get install -y prometheus`');
      expect(() => requireTool('amtool')).toThrow('apt-get install -y prometheus-alertmanager');
      await expect(run('docker-compose', ['version'])).rejects.toThrow('apt-get install -y docker-compose');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('finds the installed tools', () => {
    for (const tool of ['promtool', 'amtool', 'prometheus-alertmanager', 'docker-compose'])
      expect(requireTool(tool)).toMatch(new RegExp(`/${tool}$`));
  });
});
