// One inbox row: cloned from <template id="tpl-inbox-row"> and filled with textContent only.
// inbox.js keeps the rows and redraws one with renderRow whenever its data changes.
import { attachmentsLabel } from "./attachment-text.js";
import { clone, fillAvatar, formatMoney, formatShort, fullDate, t } from "./util.js";

const PREVIEW_MAX = 120;

/** The row's last-message line: "You: …" for one's own, cut at PREVIEW_MAX characters. */
export function preview(row, me) {
  const m = row.last_message;
  if (!m) return t("no_messages_yet");
  if (m.removed) return t(m.removed === "sender" ? "removed_sender" : "removed_moderation");
  let text = m.body.replace(/\s+/g, " ").trim() || attachmentsLabel(m.attachments, t);
  if (text.length > PREVIEW_MAX) text = `${text.slice(0, PREVIEW_MAX - 1)}…`;
  return m.sender_id === me.id ? t("you_prefix", { text }) : text;
}

/**
 * The row's <li>. `href` is the conversation's page; `typing` whether the other person is
 * typing there now; the menu's items call onMarkUnread(id) and onArchive(id, archived).
 */
export function renderRow(row, { me, href, typing, onMarkUnread, onArchive }) {
  const li = clone("tpl-inbox-row");
  li.dataset.conversationId = String(row.id);
  const link = li.querySelector(".inbox-row");
  link.href = href;
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
  const status = li.querySelector(".status-badge"); // Reserved / Sold (parley.deals keeps it live)
  if (status && row.listing.status && row.listing.status !== "available") {
    status.hidden = false;
    status.className = `badge status-badge status-${row.listing.status}`;
    status.textContent = document.getElementById("status-labels")?.dataset[row.listing.status] || row.listing.status_label;
  }
  li.querySelector(".role").textContent = row.role === "seller" ? t("selling") : t("buying");
  const previewNode = li.querySelector(".preview");
  previewNode.textContent = typing ? t("typing") : preview(row, me);
  previewNode.classList.toggle("is-typing", typing);
  const count = li.querySelector(".unread-count");
  if (row.unread > 0) {
    count.hidden = false;
    count.querySelector(".n").textContent = String(row.unread);
    // Read as "3 unread", not a bare number (an aria-label on a span would be ignored).
    count.querySelector(".visually-hidden").textContent = t("unread_count", { count: row.unread });
  } else {
    count.remove();
  }
  li.querySelector(".inbox-unread").addEventListener("click", () => onMarkUnread(row.id));
  const archive = li.querySelector(".inbox-archive");
  const unarchive = li.querySelector(".inbox-unarchive");
  archive.parentElement.hidden = Boolean(row.archived);
  unarchive.parentElement.hidden = !row.archived;
  archive.addEventListener("click", () => onArchive(row.id, true));
  unarchive.addEventListener("click", () => onArchive(row.id, false));
  return li;
}
