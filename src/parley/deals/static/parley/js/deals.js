// parley.deals on the conversation page: the deal bar (the seller's Available / Reserved /
// Sold and Change price, the buyer's Make an offer, Propose a meet-up), the header's live item
// card, and the deal items in the history: system lines ("Alice marked this item as
// reserved"), offer cards and meet-up cards, each placed among the messages by its time and
// kept live from the stream's listing.changed, offer.* and meetup.* events.
import { client } from "./client.js";
import { clone, formatClock, readJSON, t } from "./util.js";
import { renderMeetup } from "./deals-meetup.js";
import { renderOffer } from "./deals-offer.js";
import { canShow, changeText, fill, placeBefore, plainMoney } from "./deals-text.js";

const data = readJSON("deals-data");
const page = readJSON("page-data");
const strings = data.strings;
const convId = data.conversation_id;
const me = data.me;
const otherName = page.conversation.other.name;
const list = document.getElementById("msg-list");
const scroller = document.getElementById("chat-scroll");
const bar = document.getElementById("deal-bar");
const errorNode = document.getElementById("deal-error");
const conn = client();
const hadOlder = Boolean(page.has_more);
const items = new Map(); // "offer:3" | "change:5" | "meetup:2" | "live:n" -> {at, node}
let listing = data.listing;
let liveCount = 0;

const tr = (key, params) => fill(strings, key, params);

const ctx = { me, role: data.role, otherName, tr, plainMoney, act, icsUrl, mapUrl: data.map_url, reproposeMeetup };

// ---------- the header's item card and the seller's buttons ----------

function applyListing(card) {
  listing = card;
  const header = document.getElementById("chat-listing");
  for (const badge of [header?.querySelector(".status-badge"), document.getElementById("deal-bar-status")]) {
    if (!badge) continue;
    badge.className = `badge status-badge status-${card.status}${badge.id ? " deal-bar-status" : ""}`;
    badge.textContent = tr(`status_${card.status}`);
  }
  const price = header?.querySelector(".price");
  if (price && card.price) price.textContent = plainMoney(card.price, card.currency);
  for (const button of bar.querySelectorAll("[data-status]")) {
    const on = button.dataset.status === card.status;
    button.classList.toggle("active", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }
  const offerOpen = document.getElementById("deal-offer-open");
  if (offerOpen) offerOpen.disabled = card.status !== "available";
  bar.dataset.status = card.status;
}

// ---------- placing deal items among the messages ----------

const observer = new MutationObserver(() => placeAll());

/** Put every deal item after the messages sent before it and before those sent after (and
 * before pending ones). An item older than every loaded message waits until older pages load. */
function placeAll() {
  observer.disconnect();
  const nodes = [...list.querySelectorAll(".msg")];
  const msgs = nodes.map((m) => ({ seq: Number(m.dataset.seq) || 0, time: Date.parse(m.dataset.time) }));
  const confirmed = msgs.filter((m) => m.seq);
  const oldest = confirmed.length ? confirmed[0].time : Infinity;
  const sorted = [...items.values()].sort((a, b) => a.time - b.time || a.order - b.order);
  for (const item of sorted) {
    if (!canShow(item.time, oldest, !hadOlder || startReached())) {
      item.node.remove();
      continue;
    }
    const index = placeBefore(msgs, item.time);
    const next = index >= 0 ? nodes[index] : null;
    const previous = index > 0 ? nodes[index - 1] : index === -1 ? nodes[nodes.length - 1] || null : null;
    // Already between the right messages: leave it (moving it would blur a focused counter box).
    if (item.node.parentNode === list && sibling(item.node, "next") === next && sibling(item.node, "previous") === previous) continue;
    if (next) list.insertBefore(item.node, next);
    else list.append(item.node);
  }
  observer.observe(list, { childList: true });
}

/** The nearest message node before or after `node`, skipping deal items and day separators. */
function sibling(node, way) {
  let n = node[`${way}ElementSibling`];
  while (n && !n.classList.contains("msg")) n = n[`${way}ElementSibling`];
  return n || null;
}

/** Whether the history is loaded back to the first message (conversation.js says so on top). */
function startReached() {
  return document.getElementById("chat-top-note")?.textContent === t("start_of_conversation");
}

function put(key, at, node) {
  const pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const old = items.get(key);
  if (old) {
    old.node.replaceWith(node);
    old.node = node;
    old.time = Date.parse(at);
  } else {
    items.set(key, { time: Date.parse(at), order: items.size, node });
  }
  node.dataset.dealKey = key;
  placeAll();
  if (pinned) scroller.scrollTop = scroller.scrollHeight;
}

function line(text, at) {
  const node = clone("tpl-deal-line");
  node.querySelector(".deal-line-text").textContent = text;
  const time = document.createElement("time");
  time.dateTime = at;
  time.textContent = formatClock(at);
  node.append(" ", time);
  return node;
}

function showChange(change) {
  put(`change:${change.id}`, change.at, line(changeText(change, tr), change.at));
}

function showOffer(offer) {
  put(`offer:${offer.id}`, offer.created_at, renderOffer(offer, ctx));
}

function showMeetup(meetup) {
  put(`meetup:${meetup.id}`, meetup.created_at, renderMeetup(meetup, ctx));
  items.get(`meetup:${meetup.id}`).meetup = meetup;
}

// ---------- actions: one frame each, errors under the bar ----------

function showError(text) {
  errorNode.textContent = text || "";
  errorNode.hidden = !text;
}

async function act(frame) {
  showError("");
  try {
    return await conn.request(frame);
  } catch (err) {
    showError(err && err.message && err.code !== "server_error" ? err.message : tr("error_generic"));
    return null;
  }
}

function icsUrl(id) {
  return document.getElementById("deals-ics-url").dataset.url.replace(/\/0\.ics$/, `/${id}.ics`);
}

function toggleForm(id, open) {
  for (const form of bar.querySelectorAll(".deal-form")) form.hidden = form.id !== id || !open;
  const input = open && document.getElementById(id)?.querySelector("input, select");
  if (input) input.focus();
}

function reproposeMeetup() {
  toggleForm("deal-meetup-form", true);
}

for (const [button, form] of [["deal-offer-open", "deal-offer-form"], ["deal-price-open", "deal-price-form"], ["deal-meetup-open", "deal-meetup-form"]]) {
  document.getElementById(button)?.addEventListener("click", () => toggleForm(form, document.getElementById(form).hidden));
}
for (const cancel of bar.querySelectorAll(".deal-cancel")) cancel.addEventListener("click", () => toggleForm(null, false));

for (const button of bar.querySelectorAll("[data-status]")) {
  button.addEventListener("click", async () => {
    if (button.dataset.status === listing.status) return;
    const reply = await act({ type: "listing_update", conversation_id: convId, status: button.dataset.status });
    if (reply) applyListing(reply.listing);
  });
}

document.getElementById("deal-price-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const price = document.getElementById("deal-price-amount").value.trim();
  const reply = await act({ type: "listing_update", conversation_id: convId, price });
  if (reply) {
    applyListing(reply.listing);
    toggleForm(null, false);
  }
});

document.getElementById("deal-offer-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("deal-offer-amount");
  const reply = await act({ type: "offer_make", conversation_id: convId, amount: input.value.trim() });
  if (reply) {
    showOffer(reply.offer);
    input.value = "";
    toggleForm(null, false);
  }
});

const safeSelect = document.getElementById("deal-meetup-safe");
safeSelect?.addEventListener("change", () => { document.getElementById("deal-meetup-place").hidden = Boolean(safeSelect.value); });
document.getElementById("deal-meetup-form")?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const local = document.getElementById("deal-meetup-at").value;
  const at = local ? new Date(local) : null;
  if (!at || Number.isNaN(at.getTime())) {
    showError(tr("error_generic"));
    return;
  }
  const frame = { type: "meetup_propose", conversation_id: convId, at: at.toISOString() };
  if (safeSelect?.value) frame.safe_place_id = Number(safeSelect.value);
  else frame.place = document.getElementById("deal-meetup-place").value.trim();
  const reply = await act(frame);
  if (reply) {
    replaceOlderMeetups(reply.meetup.id);
    showMeetup(reply.meetup);
    toggleForm(null, false);
  }
});

function replaceOlderMeetups(newId) {
  for (const [key, item] of items) {
    if (!key.startsWith("meetup:") || Number(key.slice(7)) === newId) continue;
    const meetup = item.meetup;
    if (meetup && (meetup.state === "proposed" || meetup.state === "accepted")) showMeetup({ ...meetup, state: "replaced" });
  }
}

// ---------- live events ----------

conn.on("listing.changed", (event) => {
  if (event.listing.id !== listing.id) return;
  applyListing(event.listing);
  showChange(event.change);
});

for (const name of ["made", "countered", "accepted", "declined", "withdrawn", "expired"]) {
  conn.on(`offer.${name}`, (event) => {
    if (event.offer.conversation_id === convId) showOffer(event.offer);
  });
}

for (const name of ["proposed", "accepted", "arrived"]) {
  conn.on(`meetup.${name}`, (event) => {
    if (event.meetup.conversation_id !== convId) return;
    if (name === "proposed") replaceOlderMeetups(event.meetup.id);
    showMeetup(event.meetup);
  });
}

conn.on("meetup.reminder", (event) => {
  if (event.meetup.conversation_id !== convId) return;
  const at = new Date().toISOString();
  put(`live:${liveCount++}`, at, line(tr("meetup_reminder", { place: event.meetup.place }), at));
  showMeetup(event.meetup);
});

// ---------- start ----------

applyListing(listing);
for (const change of data.items.changes) showChange(change);
for (const offer of data.items.offers) showOffer(offer);
for (const meetup of data.items.meetups) showMeetup(meetup);
placeAll();
