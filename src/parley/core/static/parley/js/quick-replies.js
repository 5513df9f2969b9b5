// The "Quick replies" menu beside the composer (parley.quickreplies): a Bootstrap dropdown
// rendered with the page, so Enter/Space open it, the arrow keys and Tab move through it and
// Escape closes it. Choosing a reply puts its text in the composer; it is not sent.

export class QuickReplies {
  constructor({ menu, composer }) {
    this.menu = menu;
    this.composer = composer;
    menu.addEventListener("click", (event) => {
      const item = event.target.closest(".quick-reply-item");
      if (!item) return;
      event.preventDefault();
      composer.insert(item.dataset.text || "");
      // The dropdown closes after the click; the focus goes (back) to the message box.
      setTimeout(() => composer.input.focus(), 0);
    });
  }
}
