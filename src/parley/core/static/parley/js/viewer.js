// The full-screen photo viewer: a modal <dialog> (Escape closes it), arrows and the keyboard's
// arrow keys step through a message's photos, a swipe does the same on a touch screen.
import { t } from "./util.js";

const SWIPE_PX = 50;

export class Viewer {
  constructor() {
    this.dialog = document.getElementById("att-viewer");
    this.img = this.dialog.querySelector(".att-viewer-img");
    this.counter = this.dialog.querySelector(".att-viewer-count");
    this.download = this.dialog.querySelector(".att-viewer-download");
    this.prev = this.dialog.querySelector(".att-viewer-prev");
    this.next = this.dialog.querySelector(".att-viewer-next");
    this.images = [];
    this.index = 0;
    this.dialog.querySelector(".att-viewer-close").addEventListener("click", () => this.dialog.close());
    this.prev.addEventListener("click", () => this.step(-1));
    this.next.addEventListener("click", () => this.step(1));
    this.dialog.addEventListener("keydown", (event) => {
      if (event.key === "ArrowLeft") this.step(-1);
      else if (event.key === "ArrowRight") this.step(1);
      else return;
      event.preventDefault();
    });
    this.img.draggable = false; // a drag of the photo would cancel the pointer: it is a swipe here
    let startX = null;
    this.dialog.addEventListener("pointerdown", (event) => { startX = event.clientX; });
    this.dialog.addEventListener("pointerup", (event) => {
      if (startX === null) return;
      const dx = event.clientX - startX;
      startX = null;
      if (Math.abs(dx) >= SWIPE_PX) this.step(dx < 0 ? 1 : -1);
    });
    this.dialog.addEventListener("close", () => this.img.removeAttribute("src"));
  }

  open(images, index) {
    this.images = images;
    this.show(index);
    if (!this.dialog.open) this.dialog.showModal();
    this.dialog.focus();
  }

  step(delta) {
    const next = this.index + delta;
    if (next >= 0 && next < this.images.length) this.show(next);
  }

  show(index) {
    const a = this.images[index];
    this.index = index;
    this.img.src = a.large_url || a.url;
    this.img.alt = a.name;
    this.download.href = a.url;
    this.download.setAttribute("download", a.name);
    this.counter.textContent = this.images.length > 1 ? t("att_counter", { index: index + 1, count: this.images.length }) : "";
    this.prev.hidden = index === 0;
    this.next.hidden = index === this.images.length - 1;
  }
}
