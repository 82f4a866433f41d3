/** Active handles of this process by type (sockets, timers, ...), to find what a redeploy leaves behind. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Resources of `after` beyond those of `before`, by type (only types that grew). */
export function grownResources(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [type, count] of Object.entries(after)) {
    const extra = count - (before[type] ?? 0);
    if (extra > 0) grown[type] = extra;
  }
  return grown;
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
