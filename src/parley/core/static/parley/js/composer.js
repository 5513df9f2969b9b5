// The composer: its draft kept in storage per conversation, Enter to send on desktop (a new
// line on touch screens, where the Send button sends), autosize, the character count and the
// error line above it.

const MAX_HEIGHT_PX = 160;

export class Composer {
  constructor({ root, storage, conversationId, maxChars, onSend, t }) {
    this.form = root.querySelector("#composer");
    this.input = root.querySelector("#composer-input");
    this.errorBox = root.querySelector("#composer-error");
    this.charCount = root.querySelector("#char-count");
    this.keys = root.querySelector("#composer-keys");
    this.storage = storage;
    this.conversationId = conversationId;
    this.maxChars = maxChars;
    this.onSend = onSend;
    this.t = t;
    this.lastSubmitAt = 0;
    // Files to send with the text (parley.attachments' tray: busy(), ready(), clear()), or null.
    this.files = null;
    // Reply: the quoted message ({id, seq, sender_id, body}) shown above the box, or null.
    this.reply = null;
    this.replyBar = root.querySelector("#composer-reply");
    this.replyBar?.querySelector("#composer-reply-cancel").addEventListener("click", () => {
      this.setReply(null);
      this.input.focus();
    });
    // A phone keyboard has no Shift+Enter: Enter is a new line there, Send sends.
    this.touch = window.matchMedia("(pointer: coarse)").matches;
    this._wire();
    // Text typed before this script ran (a slow page) wins over the stored draft, and is kept.
    if (this.input.value.trim()) storage.setDraft(conversationId, this.input.value);
    else this.input.value = storage.draft(conversationId);
    this._changed();
  }

  _wire() {
    if (this.touch) {
      this.input.setAttribute("enterkeyhint", "enter");
      if (this.keys) this.keys.hidden = true;
    }
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.reply) {
        event.preventDefault();
        this.setReply(null);
        return;
      }
      if (this.touch || event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("input", () => {
      this.storage.setDraft(this.conversationId, this.input.value);
      if (!this.errorBox.hidden) this.showError("");
      this._changed();
    });
  }

  submit() {
    const body = this.input.value.replace(/\r\n/g, "\n").trim();
    const problem = this.files?.problem();
    if (problem) {
      this.showError(problem);
      return;
    }
    const files = this.files ? this.files.ready() : [];
    if (!body && !files.length) {
      // A second click of a double-click finds the box already emptied: not an error.
      if (Date.now() - this.lastSubmitAt > 1000) this.showError(this.t("empty_body"));
      this.input.focus();
      return;
    }
    if (body.length > this.maxChars) {
      this.showError(this.t("too_long", { length: body.length, limit: this.maxChars }));
      return;
    }
    this.lastSubmitAt = Date.now();
    this.showError("");
    this.setText("");
    const reply = this.reply;
    this.setReply(null);
    this.files?.clear();
    this.onSend(body, reply, files);
    this.input.focus();
  }

  /** Quote a message above the box (`who` is the name shown), or none (null). */
  setReply(quote, who = "") {
    this.reply = quote;
    if (!this.replyBar) return;
    this.replyBar.hidden = !quote;
    this.replyBar.querySelector("#composer-reply-who").textContent = quote ? this.t("replying_to", { name: who }) : "";
    this.replyBar.querySelector("#composer-reply-body").textContent = quote ? quote.body : "";
    if (quote) this.input.focus();
  }

  /** Put text in the box (and in the stored draft). */
  setText(text) {
    this.input.value = text;
    this.storage.setDraft(this.conversationId, text);
    this._changed();
  }

  /** Insert text at the cursor (or fill an empty box) and focus the box; nothing is sent. */
  insert(text) {
    const value = this.input.value;
    let caret;
    if (!value.trim()) {
      this.setText(text);
      caret = text.length;
    } else {
      const start = this.input.selectionStart ?? value.length;
      const end = this.input.selectionEnd ?? value.length;
      this.setText(value.slice(0, start) + text + value.slice(end));
      caret = start + text.length;
    }
    this.showError("");
    this.input.focus();
    this.input.setSelectionRange(caret, caret);
  }

  /** A message the server refused comes back to be fixed, unless the writer started anew. */
  giveBack(body) {
    if (!this.input.value.trim()) this.setText(body);
    this.input.focus();
  }

  /** Close the composer (a block) or open it again; the draft stays. */
  setDisabled(disabled) {
    this.input.disabled = disabled;
    for (const button of this.form.querySelectorAll("button")) button.disabled = disabled;
    if (disabled) this.showError("");
  }

  showError(text) {
    this.errorBox.textContent = text;
    this.errorBox.hidden = !text;
  }

  focus() {
    this.input.focus({ preventScroll: true });
  }

  _changed() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
    const n = this.input.value.trim().length;
    this.charCount.textContent = n > this.maxChars * 0.8 ? `${n} / ${this.maxChars}` : "";
    this.charCount.classList.toggle("over", n > this.maxChars);
  }
}
