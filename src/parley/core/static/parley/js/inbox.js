// The inbox: rows cloned from <template id="tpl-inbox-row"> (textContent only), kept live
// from stream events, and paged by cursor past the first page as the reader scrolls.
import { client } from "./client.js";
import { InboxFilters } from "./inbox-filters.js";
import { TYPING_SHOW_MS } from "./presence.js";
import { renderRow } from "./inbox-row.js";
import { formatShort, readJSON } from "./util.js";

const PAGE_SIZE = 30;
const page = readJSON("page-data");
const box = document.getElementById("inbox");
const list = document.getElementById("inbox-list");
const empty = document.getElementById("inbox-empty");
const more = document.getElementById("inbox-more");
const moreRetry = document.getElementById("inbox-more-retry");
const detailTemplate = box.dataset.detailUrl; // ".../0/"
const me = page.me;
const rows = new Map(); // conversation id -> row data
const typing = new Map(); // conversation id -> the timer that ends its "typing…"
let nextBefore = page.next_before ?? null; // absent: the server sent every row at once
let loading = false;
let generation = 0; // a filter change starts a new list; pages of the old one are dropped
const filters = new InboxFilters({
  root: document.getElementById("inbox-filters"), countsUrl: box.dataset.countsUrl, counts: page.counts,
  countsCursor: page.counts_cursor, onChange: reload,
});

function detailUrl(id) {
  return detailTemplate.replace(/\/0\/$/, `/${id}/`);
}

function drawRow(row) {
  return renderRow(row, {
    me, href: detailUrl(row.id), typing: typing.has(row.id), onMarkUnread: markUnread, onArchive: setArchived,
  });
}

/** "Mark as unread" in a row's menu: the server moves the mark back; its event redraws the row. */
function markUnread(id) {
  conn.request({ type: "unread", conversation_id: id }).then(
    (reply) => applyUnread({ conversation_id: id, ...reply }),
    () => {},
  );
}

/** Archive / Unarchive in a row's menu: the ack moves the row; the event (here and in other
 * tabs) brings the counts, exact at its seq. */
function setArchived(id, archived) {
  conn.request({ type: archived ? "archive" : "unarchive", conversation_id: id }).then(
    () => applyArchived({ conversation_id: id }, archived),
    () => {},
  );
}

function applyArchived(data, archived, seq = null) {
  if (data.counts && seq !== null) {
    filters.setCounts(data.counts, seq);
    filters.refreshSoon(); // the filter by item's list (Selling moved)
  }
  const row = rows.get(data.conversation_id);
  if (row) row.archived = archived;
  if (row && filters.matches(row)) {
    replace(row);
  } else if (row) {
    rows.delete(row.id);
    itemFor(row.id)?.remove();
    empty.hidden = rows.size > 0;
  } else if (filters.filter === "archived" || !archived) {
    reload(); // a row this list has not loaded yet: read the list again
  }
}

function applyUnread(data) {
  const row = rows.get(data.conversation_id);
  if (!row) return;
  row.unread = data.unread;
  row.last_read_seq = data.last_read_seq;
  replace(row);
}

function itemFor(id) {
  return list.querySelector(`li[data-conversation-id="${Number(id)}"]`);
}

function replace(row, { toTop = false, flash = false } = {}) {
  if (!filters.matches(row)) { // no longer in this list (read under Unread, archived …)
    rows.delete(row.id);
    itemFor(row.id)?.remove();
    empty.hidden = rows.size > 0;
    return;
  }
  rows.set(row.id, row);
  const fresh = drawRow(row);
  const old = itemFor(row.id);
  if (toTop || !old) list.prepend(fresh);
  else old.replaceWith(fresh);
  if (toTop && old) old.remove();
  if (flash) fresh.firstElementChild.classList.add("flash");
  empty.hidden = rows.size > 0;
}

function byActivity(a, b) {
  return (Date.parse(b.last_activity_at) || 0) - (Date.parse(a.last_activity_at) || 0);
}

/** Append a page of older rows; a row already here (moved up by a live event) stays put. */
function appendRows(found) {
  for (const row of [...found].sort(byActivity)) {
    if (rows.has(row.id) || !filters.matches(row)) continue;
    rows.set(row.id, row);
    list.append(drawRow(row));
  }
  empty.hidden = rows.size > 0;
}

// ---------- infinite scroll ----------

async function loadMore({ first = false } = {}) {
  if (loading || (!nextBefore && !first)) return;
  loading = true;
  moreRetry.hidden = true;
  const mine = generation;
  try {
    const params = filters.params();
    params.set("limit", String(PAGE_SIZE));
    if (!first) params.set("before", nextBefore);
    const response = await fetch(`${box.dataset.apiUrl}?${params}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    if (mine !== generation) return; // the filter changed meanwhile
    appendRows(data.conversations || []);
    nextBefore = data.next_before ?? null;
  } catch (err) {
    if (mine === generation) moreRetry.hidden = false; // the reader asks again; no loop of failing requests
  } finally {
    if (mine === generation) {
      loading = false;
      more.hidden = !nextBefore;
    }
  }
  if (mine !== generation) return;
  // Still on screen (a tall window): keep going.
  if (nextBefore && moreRetry.hidden && isVisible(more)) loadMore();
}

function isVisible(node) {
  const r = node.getBoundingClientRect();
  return r.top < window.innerHeight && r.bottom > 0;
}

moreRetry.addEventListener("click", () => loadMore({ first: rows.size === 0 && !nextBefore }));

/** A filter changed: start the list again from its first page. */
function reload() {
  generation += 1;
  loading = false;
  rows.clear();
  list.replaceChildren();
  nextBefore = null;
  box.classList.toggle("is-filtered", filters.filter !== "all" || Boolean(filters.listing));
  empty.querySelector("[data-empty-all]").hidden = box.classList.contains("is-filtered");
  empty.querySelector("[data-empty-filtered]").hidden = !box.classList.contains("is-filtered");
  empty.hidden = true;
  more.hidden = false;
  loadMore({ first: true }).then(() => { empty.hidden = rows.size > 0 || !more.hidden; });
}
if (typeof IntersectionObserver === "function") {
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "0px 0px 400px 0px" }).observe(more);
}

// ---------- live ----------

const conn = client();
conn.on("message.created", (data, ev) => {
  const id = data.conversation.id;
  if (data.message.sender_id !== me.id) stopTyping(id, { redraw: false }); // the message ends it
  const prev = rows.get(id) || {};
  // A new message brings an archived conversation back (the server needs no write for it).
  const row = { ...prev, ...data.conversation, last_message: data.message, unread: data.unread,
                last_read_seq: prev.last_read_seq ?? 0, archived: false };
  if (listings.has(row.listing.id)) row.listing = listings.get(row.listing.id); // newer than a cached card
  replace(row, { toTop: true, flash: true });
  filters.move(data.inbox_moves, ev.seq, row.listing);
});
conn.on("conversation.started", (data, ev) => { // opened in another tab, before a word was written
  const row = { last_message: null, unread: 0, last_read_seq: 0, ...rows.get(data.conversation.id), ...data.conversation };
  replace(row, { toTop: true });
  filters.move(data.inbox_moves, ev.seq, row.listing);
});
conn.on("conversation.archived", (data, ev) => applyArchived(data, true, ev.seq));
conn.on("conversation.unarchived", (data, ev) => applyArchived(data, false, ev.seq));
conn.on("message.edited", (data) => {
  const row = rows.get(data.conversation_id);
  if (!row || !row.last_message || row.last_message.id !== data.message.id) return;
  row.last_message = data.message;
  replace(row);
});
conn.on("message.deleted", (data) => {
  const row = rows.get(data.conversation_id);
  if (!row || !row.last_message || row.last_message.id !== data.message_id) return;
  row.last_message = { ...row.last_message, body: "", removed: "sender" };
  replace(row);
});
conn.on("message.hidden", (data) => {
  const row = rows.get(data.conversation_id);
  if (!row || !row.last_message || row.last_message.id !== data.message_id) return;
  row.last_message = { ...row.last_message, body: "", removed: "moderation" };
  replace(row);
});
conn.on("conversation.unread", (data, ev) => {
  applyUnread(data);
  filters.move(data.inbox_moves, ev.seq);
});
// An item's status or price changed (parley.deals): every row about it redraws.
const listings = new Map(); // listing id -> the latest card from listing.changed
conn.on("listing.changed", (data) => {
  listings.set(data.listing.id, data.listing);
  for (const row of rows.values()) if (row.listing.id === data.listing.id) { row.listing = data.listing; replace(row); }
});
conn.on("conversation.read", (data, ev) => {
  if (data.user_id !== me.id || data.unread === undefined) return;
  filters.move(data.inbox_moves, ev.seq);
  const row = rows.get(data.conversation_id);
  if (!row) return;
  row.unread = data.unread;
  row.last_read_seq = Math.max(row.last_read_seq || 0, data.seq);
  replace(row);
});


// The other person typing in a conversation: its preview says "typing…" for a while.
function stopTyping(id, { redraw = true } = {}) {
  if (!typing.has(id)) return;
  clearTimeout(typing.get(id));
  typing.delete(id);
  if (redraw && rows.has(id)) replace(rows.get(id));
}
conn.on("signal:typing", (data) => {
  const id = data.conversation_id;
  const row = rows.get(id);
  if (!row || data.user_id !== row.other.id) return;
  if (data.active === false) {
    stopTyping(id);
    return;
  }
  clearTimeout(typing.get(id));
  const wasTyping = typing.has(id);
  typing.set(id, setTimeout(() => stopTyping(id), TYPING_SHOW_MS));
  if (!wasTyping) replace(row);
});

appendRows(page.conversations);
more.hidden = !nextBefore;

// Keep "5 min" style times fresh.
setInterval(() => {
  for (const time of list.querySelectorAll("time")) time.textContent = formatShort(time.getAttribute("datetime"));
}, 30000);
