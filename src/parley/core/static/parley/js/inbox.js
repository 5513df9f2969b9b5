// The inbox: rows cloned from <template id="tpl-inbox-row"> (textContent only), kept live
// from stream events, and paged by cursor past the first page as the reader scrolls.
import { client } from "./client.js";
import { clone, fillAvatar, formatMoney, formatShort, fullDate, readJSON, t } from "./util.js";

const PREVIEW_MAX = 120;
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
let nextBefore = page.next_before ?? null; // absent: the server sent every row at once
let loading = false;

function detailUrl(id) {
  return detailTemplate.replace(/\/0\/$/, `/${id}/`);
}

function preview(row) {
  const m = row.last_message;
  if (!m) return t("no_messages_yet");
  let text = m.body.replace(/\s+/g, " ").trim();
  if (text.length > PREVIEW_MAX) text = `${text.slice(0, PREVIEW_MAX - 1)}…`;
  return m.sender_id === me.id ? t("you_prefix", { text }) : text;
}

function renderRow(row) {
  const li = clone("tpl-inbox-row");
  li.dataset.conversationId = String(row.id);
  const link = li.querySelector(".inbox-row");
  link.href = detailUrl(row.id);
  link.classList.toggle("is-unread", row.unread > 0);
  fillAvatar(li.querySelector(".avatar"), row.other);
  const thumb = li.querySelector(".thumb-badge");
  if (row.listing.photo_url) {
    thumb.src = row.listing.photo_url;
    thumb.hidden = false;
  }
  const when = row.last_message ? row.last_message.created_at : row.last_activity_at;
  const time = li.querySelector("time");
  time.dateTime = when;
  time.title = fullDate(when);
  time.textContent = formatShort(when);
  li.querySelector(".other-name").textContent = row.other.name;
  li.querySelector(".listing-title").textContent = row.listing.title;
  li.querySelector(".price").textContent = row.listing.price ? formatMoney(row.listing.price, row.listing.currency) : "";
  li.querySelector(".role").textContent = row.role === "seller" ? t("selling") : t("buying");
  li.querySelector(".preview").textContent = preview(row);
  const count = li.querySelector(".unread-count");
  if (row.unread > 0) {
    count.hidden = false;
    count.querySelector(".n").textContent = String(row.unread);
    // Read as "3 unread", not a bare number (an aria-label on a span would be ignored).
    count.querySelector(".visually-hidden").textContent = t("unread_count", { count: row.unread });
  } else {
    count.remove();
  }
  return li;
}

function itemFor(id) {
  return list.querySelector(`li[data-conversation-id="${Number(id)}"]`);
}

function replace(row, { toTop = false, flash = false } = {}) {
  const fresh = renderRow(row);
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
    if (rows.has(row.id)) continue;
    rows.set(row.id, row);
    list.append(renderRow(row));
  }
  empty.hidden = rows.size > 0;
}

// ---------- infinite scroll ----------

async function loadMore() {
  if (loading || !nextBefore) return;
  loading = true;
  moreRetry.hidden = true;
  try {
    const url = `${box.dataset.apiUrl}?limit=${PAGE_SIZE}&before=${encodeURIComponent(nextBefore)}`;
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    appendRows(data.conversations || []);
    nextBefore = data.next_before ?? null;
  } catch (err) {
    moreRetry.hidden = false; // the reader asks again; no loop of failing requests
  } finally {
    loading = false;
    more.hidden = !nextBefore;
  }
  // Still on screen (a tall window): keep going.
  if (nextBefore && moreRetry.hidden && isVisible(more)) loadMore();
}

function isVisible(node) {
  const r = node.getBoundingClientRect();
  return r.top < window.innerHeight && r.bottom > 0;
}

moreRetry.addEventListener("click", loadMore);
if (typeof IntersectionObserver === "function") {
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadMore();
  }, { rootMargin: "0px 0px 400px 0px" }).observe(more);
}

// ---------- live ----------

const conn = client();
conn.on("message.created", (data) => {
  const id = data.conversation.id;
  const prev = rows.get(id) || {};
  const row = { ...prev, ...data.conversation, last_message: data.message, unread: data.unread, last_read_seq: prev.last_read_seq ?? 0 };
  rows.set(id, row);
  replace(row, { toTop: true, flash: true });
});
conn.on("conversation.read", (data) => {
  if (data.user_id !== me.id || data.unread === undefined) return;
  const row = rows.get(data.conversation_id);
  if (!row) return;
  row.unread = data.unread;
  row.last_read_seq = Math.max(row.last_read_seq || 0, data.seq);
  replace(row);
});

appendRows(page.conversations);
more.hidden = !nextBefore;

// Keep "5 min" style times fresh.
setInterval(() => {
  for (const time of list.querySelectorAll("time")) time.textContent = formatShort(time.getAttribute("datetime"));
}, 30000);
