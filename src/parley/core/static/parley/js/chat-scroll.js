// The conversation's scroll box. While the reader is at the bottom it stays there, whatever
// grows below them: a new message, photos that finish loading, a bubble that gets taller, the
// composer or a phone's keyboard taking room. When they have scrolled up, a new message shows
// the "new messages" pill instead. Near the top it asks for older pages; loading them keeps
// what the reader looks at in place.

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 150;
const REVEAL_MS = 1200;

export class ChatScroll {
  /**
   * @param {{scroller: HTMLElement, content: HTMLElement, pill: HTMLElement,
   *          onBottom: () => void, onTop: () => void}} options
   *   onBottom: the reader reached the bottom (mark read); onTop: near the top (load older).
   */
  constructor({ scroller, content, pill, onBottom, onTop }) {
    this.scroller = scroller;
    this.pill = pill;
    this.pinned = true;
    this.revealing = false; // a reveal() is scrolling: neither pin nor pull back meanwhile
    this.lastTop = scroller.scrollTop;
    scroller.addEventListener("scroll", () => {
      const top = scroller.scrollTop;
      const movedUp = top < this.lastTop;
      this.lastTop = top;
      if (this.revealing) return;
      // Only the reader scrolling up unpins. A scroll event is dispatched a frame after the
      // scroll, so content that grew meanwhile (a photo that loaded) must not read as "left
      // the bottom": the pinned reader is taken down to the new bottom instead.
      if (this.nearBottom()) this.pinned = true;
      else if (movedUp) this.pinned = false;
      else if (this.pinned) this.toBottom();
      if (this.pinned) {
        pill.hidden = true;
        onBottom();
      }
      if (top < NEAR_TOP_PX) onTop();
    }, { passive: true });
    pill.addEventListener("click", () => {
      scroller.scrollTo({ top: scroller.scrollHeight, behavior: "smooth" });
      pill.hidden = true;
    });
    // Layout changes fire no scroll event: keep a pinned reader pinned through them.
    const keep = new ResizeObserver(() => {
      if (this.pinned && !this.revealing) this.toBottom();
    });
    // Everything in the box (the list, and the note above it) and the box itself.
    for (const child of scroller.children) keep.observe(child);
    if (!scroller.contains(content)) keep.observe(content);
    keep.observe(scroller);
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  toBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.lastTop = this.scroller.scrollTop;
    this.pill.hidden = true;
    this.pinned = true;
  }

  /** Run a change at the bottom: stay pinned if the reader was there (or `force`), else show the pill. */
  atBottom(change, force = false) {
    const pinned = (this.pinned && !this.revealing) || this.nearBottom();
    change();
    if (pinned || force) this.toBottom();
    else this.pill.hidden = false;
  }

  /** Run a change above the reader (older messages) without moving what they look at. */
  keepPlace(change) {
    const s = this.scroller;
    const fromBottom = s.scrollHeight - s.scrollTop;
    change();
    s.scrollTop = s.scrollHeight - fromBottom;
    this.lastTop = s.scrollTop;
  }

  /** Scroll `node` into the middle of the box (a quote's original, a search hit): the reader
   * leaves the bottom, so a layout change meanwhile does not pull them back down. */
  reveal(node) {
    this.pinned = false;
    this.revealing = true;
    // A smooth scroll takes a few hundred ms; "scrollend" cannot mark its end, since the
    // instant scroll of an older page just loaded may end first.
    clearTimeout(this.revealTimer);
    this.revealTimer = setTimeout(() => {
      this.revealing = false;
      this.pinned = this.nearBottom();
    }, REVEAL_MS);
    node.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  /** True when the content does not fill the box yet (older pages should be loaded). */
  underfilled() {
    return this.scroller.scrollHeight <= this.scroller.clientHeight + NEAR_TOP_PX;
  }
}
