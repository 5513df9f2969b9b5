// A search result opened in its conversation (/messages/<id>/?around=SEQ&hit=ID&terms=…):
// bring the message into view (loading older pages if the first did not reach it), outline
// it and mark the matched words. Marks are made by splitting text nodes: no markup is parsed.

/** Lower case without accents, as the server folds words ("Vélo" -> "velo"). */
export function fold(text) {
  return text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
}

/** Wrap every word of `root`'s text that starts with one of `terms` in <mark class="search-mark">. */
export function markWords(root, terms) {
  if (!terms.length) return 0;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  let count = 0;
  for (const node of nodes) {
    const text = node.nodeValue;
    const words = [...text.matchAll(/[\p{L}\p{N}]+/gu)].filter((m) => terms.some((t) => fold(m[0]).startsWith(t)));
    if (!words.length) continue;
    const out = document.createDocumentFragment();
    let at = 0;
    for (const m of words) {
      if (m.index > at) out.append(document.createTextNode(text.slice(at, m.index)));
      const mark = document.createElement("mark");
      mark.className = "search-mark";
      mark.textContent = m[0];
      out.append(mark);
      at = m.index + m[0].length;
      count += 1;
    }
    if (at < text.length) out.append(document.createTextNode(text.slice(at)));
    node.replaceWith(out);
  }
  return count;
}

/** Open the hit named in the page's address, if any; `show` scrolls to a message by {id, seq}. */
export async function openSearchHit(show, nodeFor) {
  const params = new URLSearchParams(window.location.search);
  const id = Number(params.get("hit"));
  const seq = Number(params.get("around"));
  if (!id || !seq) return;
  const terms = (params.get("terms") || "").split(/\s+/).map(fold).filter((t) => t.length >= 2);
  await show({ id, seq });
  const node = nodeFor(id);
  if (!node) return;
  node.classList.add("search-hit-here");
  const bubble = node.querySelector(".bubble");
  if (bubble) markWords(bubble, terms);
}
