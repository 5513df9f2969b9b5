// Edit and Delete of one's own message, from its "Message actions" menu: a dialog to change
// the text (it names the revision it edits, so a stale edit is refused, not lost) and a
// confirmation before deleting. Every tab of both people then follows message.edited /
// message.deleted; the replies below only show the result at once in this tab.

export class EditDialogs {
  constructor({ conn, conversationId, view, onError, errorText }) {
    this.conn = conn;
    this.conversationId = conversationId;
    this.view = view;
    this.onError = onError;
    this.errorText = errorText;
    this.editDialog = document.getElementById("edit-dialog");
    this.input = document.getElementById("edit-input");
    this.editError = document.getElementById("edit-error");
    this.deleteDialog = document.getElementById("delete-dialog");
    this.node = null;
    this.editDialog.querySelector("form").addEventListener("submit", (event) => {
      if (event.submitter?.value !== "save") return; // Cancel closes the dialog
      event.preventDefault(); // stay open until the server answers
      this.save();
    });
    this.deleteDialog.addEventListener("close", () => {
      if (this.deleteDialog.returnValue === "delete") this.remove();
      this.deleteDialog.returnValue = "";
    });
  }

  edit(node) {
    this.node = node;
    this.input.value = node.querySelector(".bubble").textContent;
    this._showError("");
    this.editDialog.showModal();
    this.input.focus();
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  confirmDelete(node) {
    this.node = node;
    this.deleteDialog.showModal();
  }

  async save() {
    const node = this.node;
    try {
      const reply = await this.conn.request({
        type: "edit", conversation_id: this.conversationId, message_id: Number(node.dataset.id),
        body: this.input.value, revision: Number(node.dataset.revision || 0),
      });
      this.view.applyEdit(node, reply.message);
      this.editDialog.close();
    } catch (err) {
      this._showError(this.errorText(err)); // the text stays in the box: nothing typed is lost
    }
  }

  async remove() {
    const node = this.node;
    try {
      await this.conn.request({ type: "delete", conversation_id: this.conversationId, message_id: Number(node.dataset.id) });
      this.view.markRemoved(node, "sender");
    } catch (err) {
      this.onError(this.errorText(err));
    }
  }

  _showError(text) {
    this.editError.hidden = !text;
    this.editError.textContent = text;
  }
}
