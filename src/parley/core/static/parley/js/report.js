// Report a message, or the other person, from the conversation page: one dialog asks why
// (a reason, an optional note), sends the `report` frame and thanks the reporter. The
// reported person is never told, so nothing else on the page changes.

export class ReportDialog {
  constructor({ conn, conversationId }) {
    this.conn = conn;
    this.conversationId = conversationId;
    this.dialog = document.getElementById("report-dialog");
    if (!this.dialog) return; // the page has no reporting (the safety app is not installed)
    this.form = document.getElementById("report-form");
    this.ask = this.dialog.querySelector(".report-ask");
    this.done = this.dialog.querySelector(".report-done");
    this.error = document.getElementById("report-error");
    this.sendButton = document.getElementById("report-send");
    this.messageId = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.form.addEventListener("change", () => this._showError("")); // a reason chosen: the hint has done its job
    document.getElementById("report-cancel").addEventListener("click", () => this.dialog.close());
    document.getElementById("report-close").addEventListener("click", () => this.dialog.close());
    document.getElementById("menu-report")?.addEventListener("click", () => this.open(null));
  }

  get available() {
    return Boolean(this.dialog);
  }

  /** Ask about message `messageId`, or about the person when it is null. */
  open(messageId) {
    if (!this.dialog) return;
    this.messageId = messageId;
    this.form.reset();
    for (const title of this.dialog.querySelectorAll("[data-target]")) {
      title.hidden = title.dataset.target !== (messageId === null ? "person" : "message");
    }
    this.ask.hidden = false;
    this.done.hidden = true;
    this._showError("");
    this.sendButton.disabled = false;
    this.dialog.showModal();
    this.form.querySelector('input[name="reason"]').focus();
  }

  async send() {
    const reason = this.form.querySelector('input[name="reason"]:checked');
    if (!reason) {
      this._showError(document.getElementById("report-need-reason").textContent);
      this.form.querySelector('input[name="reason"]').focus();
      return;
    }
    const frame = { type: "report", conversation_id: this.conversationId, reason: reason.value, note: this.form.elements.note.value };
    if (this.messageId !== null) frame.message_id = this.messageId;
    this.sendButton.disabled = true;
    this._showError("");
    try {
      const reply = await this.conn.request(frame);
      document.getElementById("report-thanks").textContent = reply.message;
      this.ask.hidden = true;
      this.done.hidden = false;
      document.getElementById("report-close").focus();
    } catch (err) {
      this.sendButton.disabled = false;
      this._showError(err && err.message && err.code !== "server_error" ? err.message : document.getElementById("report-failed").textContent);
    }
  }

  _showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }
}
