// A conversation's history above what the page shows: older pages fetched on scroll up, to
// fill a tall screen, or until a quoted message is there, with the note at the top saying
// which ("Loading…", "Start of the conversation", or that it failed).
import { t } from "./util.js";

export const PAGE_SIZE = 30;

export class OlderPages {
  /** messages: the page's MessageList; chatScroll: its ChatScroll; topNote: the note's node. */
  constructor({ apiUrl, messages, view, chatScroll, topNote, hasMore }) {
    Object.assign(this, { apiUrl, messages, view, chatScroll, topNote });
    this.hasMore = Boolean(hasMore);
    this.loading = false;
  }

  showNote() {
    if (this.loading) this.topNote.textContent = t("loading_older");
    else this.topNote.textContent = this.hasMore ? "" : t("start_of_conversation");
  }

  /** Fetch the page before the oldest message shown, keeping the reader's place. */
  async load() {
    const before = this.messages.oldestSeq;
    if (this.loading || !this.hasMore || before === null) return;
    this.loading = true;
    this.showNote();
    try {
      const response = await fetch(`${this.apiUrl}?before=${before}&limit=${PAGE_SIZE}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      this.chatScroll.keepPlace(() => {
        for (const m of data.messages) this.messages.add(m);
        this.hasMore = Boolean(data.has_more);
        this.view.refresh();
        this.loading = false;
        this.showNote();
      });
    } catch (err) {
      this.loading = false;
      this.topNote.textContent = t("load_failed");
      return;
    }
    this.fill();
  }

  /** A screen taller than what is shown gets older pages until it scrolls. */
  fill() {
    if (this.hasMore && this.chatScroll.underfilled()) this.load();
  }

  /** The node of a quoted message, loading older pages until it is there (null if gone). */
  async find(quote) {
    const messages = this.messages;
    let node = messages.node(quote.id);
    for (let tries = 0; !node && this.hasMore && messages.oldestSeq !== null && messages.oldestSeq > quote.seq && tries < 200; tries++) {
      if (this.loading) { // a page is already on its way (scrolling up): wait for it
        await new Promise((resolve) => setTimeout(resolve, 100));
      } else {
        const before = messages.oldestSeq;
        await this.load();
        if (messages.oldestSeq === before && !this.loading) break; // the page did not load
      }
      node = messages.node(quote.id);
    }
    return node || null;
  }
}
