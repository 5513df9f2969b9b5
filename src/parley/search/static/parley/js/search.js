// The inbox's search box: results as the user types (debounced), newest first, paged by
// cursor. The server sends each text as parts [{text, mark}]; they become text nodes and
// <mark>s here, so nothing a user wrote is ever parsed as markup.
import { clone, formatShort, fullDate } from "./util.js";

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;

const box = document.getElementById("inbox-search");
const input = document.getElementById("search-input");
const panel = document.getElementById("search-results");
const status = document.getElementById("search-status");
const hitsList = document.getElementById("search-hits");
const convList = document.getElementById("search-conversations");
const moreButton = document.getElementById("search-more");
const inbox = document.getElementById("inbox");
const detailTemplate = box.dataset.detailUrl; // ".../0/"

let timer = null;
let controller = null;
let nextBefore = null;
let current = "";

/** Fill `node` with the parts: plain text nodes, matched words in <mark>. */
export function fillParts(node, parts) {
  node.replaceChildren();
  for (const part of parts) {
    if (part.mark) {
      const mark = document.createElement("mark");
      mark.textContent = part.text;
      node.append(mark);
    } else {
      node.append(document.createTextNode(part.text));
    }
  }
}

function detailUrl(id, params) {
  const url = detailTemplate.replace(/\/0\/$/, `/${id}/`);
  return params ? `${url}?${new URLSearchParams(params)}` : url;
}

function hitItem({ href, name, title, when, parts, nameParts, titleParts }) {
  const li = clone("tpl-search-hit");
  const link = li.querySelector("a");
  link.href = href;
  fillParts(li.querySelector(".hit-name"), nameParts || [{ text: name, mark: false }]);
  fillParts(li.querySelector(".hit-title"), titleParts || [{ text: title, mark: false }]);
  const time = li.querySelector("time");
  if (when) {
    time.dateTime = when;
    time.title = fullDate(when);
    time.textContent = formatShort(when);
  } else {
    time.remove();
  }
  const text = li.querySelector(".hit-text");
  if (parts) fillParts(text, parts);
  else text.remove();
  return li;
}

function show(data, { append }) {
  if (!append) {
    hitsList.replaceChildren();
    convList.replaceChildren();
    for (const c of data.conversations) {
      convList.append(hitItem({
        href: detailUrl(c.id), name: c.other.name, title: c.listing.title, when: c.last_activity_at,
        nameParts: c.name_parts, titleParts: c.title_parts,
      }));
    }
  }
  const terms = data.terms.join(" ");
  for (const r of data.results) {
    const c = r.conversation;
    hitsList.append(hitItem({
      href: detailUrl(c.id, { around: r.message.seq, hit: r.message.id, terms }),
      name: c.other.name, title: c.listing.title, when: r.message.created_at, parts: r.parts,
    }));
  }
  nextBefore = data.next_before;
  moreButton.hidden = !nextBefore;
  const empty = !hitsList.children.length && !convList.children.length;
  status.textContent = empty ? box.dataset.none : "";
  status.hidden = !empty;
}

async function run(query, { before = null } = {}) {
  controller?.abort();
  controller = new AbortController();
  const params = new URLSearchParams({ q: query });
  if (before) params.set("before", before);
  if (!before) {
    status.hidden = false;
    status.textContent = box.dataset.searching;
  }
  try {
    const response = await fetch(`${box.dataset.apiUrl}?${params}`, {
      credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal,
    });
    const data = await response.json();
    if (query !== current) return;
    if (!response.ok) {
      hitsList.replaceChildren();
      convList.replaceChildren();
      moreButton.hidden = true;
      status.hidden = false;
      status.textContent = data?.error?.message || box.dataset.failed;
      return;
    }
    show(data, { append: Boolean(before) });
  } catch (err) {
    if (err.name === "AbortError") return;
    status.hidden = false;
    status.textContent = box.dataset.failed;
  }
}

function onInput() {
  clearTimeout(timer);
  const query = input.value.trim();
  current = query;
  if (query.length < MIN_CHARS) {
    controller?.abort();
    panel.hidden = true;
    inbox.hidden = false;
    return;
  }
  panel.hidden = false;
  inbox.hidden = true;
  timer = setTimeout(() => run(query), DEBOUNCE_MS);
}

input.addEventListener("input", onInput);
input.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && input.value) {
    input.value = "";
    onInput();
  }
});
moreButton.addEventListener("click", () => {
  if (nextBefore) run(current, { before: nextBefore });
});
