// The inbox's filters: the chips (All, Unread, Buying, Selling, Archived) with their counts,
// and the filter by item. The counts are a snapshot exact at a stream seq (the page's, GET
// …/conversations/counts, an archive event's) plus the `inbox_moves` of every later event
// (a message, a read, a mark as unread), so each tab keeps them with no request per event.
import { applyMoves, moveItems } from "./inbox-counts.js";

const COUNTS_DEBOUNCE_MS = 300;

export class InboxFilters {
  constructor({ root, countsUrl, counts, countsCursor, onChange }) {
    this.root = root;
    this.countsUrl = countsUrl;
    this.onChange = onChange;
    this.filter = "all";
    this.listing = null;
    this.timer = null;
    this.counts = {};
    this.items = [];
    this.asOf = 0; // the stream seq the counts' snapshot is exact at
    this.applied = 0; // the highest seq whose moves were added
    this.select = root.querySelector("#inbox-item-filter");
    for (const chip of root.querySelectorAll("[data-filter]")) {
      chip.addEventListener("click", () => this.choose(chip.dataset.filter));
    }
    this.select.addEventListener("change", () => {
      this.listing = this.select.value ? Number(this.select.value) : null;
      this.onChange();
    });
    if (counts) this.setCounts(counts, countsCursor ?? 0);
    this.refresh();
  }

  choose(filter) {
    if (filter === this.filter) return;
    this.filter = filter;
    for (const chip of this.root.querySelectorAll("[data-filter]")) {
      chip.setAttribute("aria-pressed", String(chip.dataset.filter === filter));
    }
    this.onChange();
  }

  /** The query string of the current filter, for the inbox's API. */
  params() {
    const params = new URLSearchParams();
    if (this.filter !== "all") params.set("filter", this.filter);
    if (this.listing) params.set("listing", String(this.listing));
    return params;
  }

  /** Whether a row belongs in the list the current filter shows. */
  matches(row) {
    if (this.listing && row.listing.id !== this.listing) return false;
    if (this.filter === "archived") return Boolean(row.archived);
    if (row.archived) return false;
    if (this.filter === "unread") return row.unread > 0;
    if (this.filter === "buying") return row.role === "buyer";
    if (this.filter === "selling") return row.role === "seller";
    return true;
  }

  /** A snapshot of the counts exact at stream seq `seq`; older than moves already added: dropped. */
  setCounts(counts, seq) {
    if (!counts || seq < this.applied) return;
    this.asOf = Math.max(this.asOf, seq);
    this.counts = { ...counts };
    this.render();
  }

  /** Add an event's `inbox_moves` (once: only events after the snapshot); `listing` for Selling's items. */
  move(moves, seq, listing = null) {
    if (!moves || !(seq > this.asOf) || seq <= this.applied) return;
    this.applied = seq;
    this.counts = applyMoves(this.counts, moves);
    this.render();
    if (moves.selling && listing) this.setItems(moveItems(this.items, listing, moves.selling));
  }

  render() {
    for (const node of this.root.querySelectorAll("[data-count]")) {
      const n = this.counts[node.dataset.count];
      if (n !== undefined) node.textContent = String(n);
    }
  }

  setItems(items) {
    this.items = items;
    const keep = this.listing;
    const first = this.select.options[0];
    this.select.replaceChildren(first);
    for (const item of items) {
      const option = document.createElement("option");
      option.value = String(item.listing.id);
      option.textContent = `${item.listing.title} (${item.count})`;
      this.select.append(option);
    }
    if (keep && items.some((i) => i.listing.id === keep)) this.select.value = String(keep);
    this.select.hidden = items.length < 1 && !keep;
  }

  /** Read the counts and items again soon (several events in a row cost one request). */
  refreshSoon() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), COUNTS_DEBOUNCE_MS);
  }

  async refresh() {
    try {
      const response = await fetch(this.countsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      this.setCounts(data.counts, data.counts_cursor);
      this.setItems(data.items);
    } catch (err) {
      // Offline: the counts stay as they are until the next event.
    }
  }
}
