// /proc/uptime: "578.50 942.17" = seconds since boot, summed idle seconds of all CPUs.

export function parseUptime(text: string): number {
  const v = Number(text.trim().split(' ')[0]);
  if (!Number.isFinite(v) || text.trim() === '') throw new Error(`unexpected /proc/uptime: ${JSON.stringify(text.slice(0, 80))}`);
  return v;
}
