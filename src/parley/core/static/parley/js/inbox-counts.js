// The inbox's filter counts moved by events (no I/O): pure functions, tested with node --test.

/** The counts after an event's `inbox_moves` ({filter: +1 or -1}); a count never goes below 0. */
export function applyMoves(counts, moves) {
  const out = { ...counts };
  for (const [name, by] of Object.entries(moves || {})) {
    if (out[name] !== undefined) out[name] = Math.max(0, out[name] + by);
  }
  return out;
}

/** The filter by item's list after Selling moved by `by` for `listing`: most enquiries first. */
export function moveItems(items, listing, by) {
  const out = items.map((item) => (item.listing.id === listing.id ? { ...item, count: item.count + by } : item));
  if (by > 0 && !out.some((item) => item.listing.id === listing.id)) out.push({ listing, count: by });
  return out.filter((item) => item.count > 0).sort((a, b) => b.count - a.count || a.listing.id - b.listing.id);
}
