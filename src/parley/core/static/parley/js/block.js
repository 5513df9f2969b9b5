// Block and Unblock from the conversation menu: a confirmation before blocking, the
// composer closed while either side has blocked the other. Every tab of the blocker follows
// its user.blocked / user.unblocked events; the blocked side learns on its next send.

export class BlockMenu {
  constructor({ conn, otherId, blocked, composer }) {
    this.conn = conn;
    this.otherId = otherId;
    this.composer = composer;
    this.byMe = Boolean(blocked.by_me);
    this.byThem = Boolean(blocked.by_them);
    this.blockItem = document.getElementById("menu-block");
    this.unblockItem = document.getElementById("menu-unblock");
    this.dialog = document.getElementById("block-dialog");
    this.box = document.querySelector(".composer");
    this.note = document.getElementById("composer-blocked");
    this.noteByMe = document.getElementById("blocked-by-me");
    this.noteByThem = document.getElementById("blocked-by-them");
    this._wire();
    this.render();
  }

  _wire() {
    this.blockItem.addEventListener("click", () => this.dialog.showModal());
    this.dialog.addEventListener("close", () => {
      if (this.dialog.returnValue === "block") this.send("block");
      this.dialog.returnValue = "";
    });
    this.unblockItem.addEventListener("click", () => this.send("unblock"));
    this.conn.on("user.blocked", (data) => { if (data.user_id === this.otherId) this.set({ byMe: true }); });
    this.conn.on("user.unblocked", (data) => { if (data.user_id === this.otherId) this.set({ byMe: false }); });
  }

  async send(type) {
    try {
      const reply = await this.conn.request({ type, user_id: this.otherId });
      this.set({ byMe: Boolean(reply.blocked) });
    } catch (err) {
      this.composer.showError(err.message || "");
    }
  }

  /** The server refused a send with `blocked`: the other side blocked us. */
  refused() {
    this.set({ byThem: true });
  }

  set({ byMe = this.byMe, byThem = this.byThem }) {
    this.byMe = byMe;
    this.byThem = byThem;
    this.render();
  }

  render() {
    this.blockItem.hidden = this.byMe;
    this.unblockItem.hidden = !this.byMe;
    const closed = this.byMe || this.byThem;
    this.box.classList.toggle("is-blocked", closed);
    this.note.hidden = !closed;
    this.noteByMe.hidden = !this.byMe;
    this.noteByThem.hidden = this.byMe || !this.byThem;
    this.composer.setDisabled(closed);
  }
}
