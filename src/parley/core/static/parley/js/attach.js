// The composer's files (parley.attachments): the Attach button, drag and drop onto the
// conversation, paste, and the voice recorder all put files in the tray above the box. Each
// uploads at once with its own progress bar; a failed one keeps its file and offers Retry, so
// nothing is chosen or typed again. Send takes the uploaded ones (composer.files).
import { t } from "./util.js";
import { VoiceRecorder } from "./voice.js";

// What a second try can fix: the link, the server, a limit that passes. The file itself refused is not.
const RETRYABLE = new Set(["network", "server_error", "rate_limited", "unavailable", "quota_exceeded"]);

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

/** POST one file; onProgress(0..1) while it goes; resolves with the server's attachment dict. */
export function uploadFile(url, file, { voice = false, onProgress = () => {} } = {}) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve, reject) => {
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status === 201 && body?.attachment) resolve(body.attachment);
      else reject(body?.error || { code: "server_error", message: t("att_upload_failed") });
    });
    xhr.addEventListener("error", () => reject({ code: "network", message: t("att_upload_failed") }));
    xhr.addEventListener("abort", () => reject({ code: "aborted", message: "" }));
  });
  const form = new FormData();
  form.append("file", file, file.name || "file");
  if (voice) form.append("voice", "true");
  xhr.open("POST", url);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.send(form);
  return { done, abort: () => xhr.abort() };
}

export class AttachTray {
  /** Wire the tray when the page has the Attach button (parley.attachments installed); else null. */
  static mount({ root, composer }) {
    const button = root.querySelector("#attach-button");
    if (!button) return null;
    const tray = new AttachTray({ root, composer, button });
    composer.files = tray;
    return tray;
  }

  constructor({ root, composer, button }) {
    this.composer = composer;
    this.url = button.dataset.uploadUrl;
    this.max = Number(button.dataset.max) || 10;
    this.maxBytes = Number(button.dataset.maxBytes) || 10 * 1024 * 1024;
    this.list = document.getElementById("attach-tray");
    const form = root.querySelector("#composer");
    form.before(this.list);
    const status = document.getElementById("voice-status");
    if (status) form.before(status);
    this.input = root.querySelector("#attach-input");
    this.items = [];
    button.addEventListener("click", () => this.input.click());
    this.input.addEventListener("change", () => {
      this.addFiles(this.input.files);
      this.input.value = "";
    });
    this._dropZone(root);
    composer.input.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files || [])];
      if (!files.length) return; // text: the box takes it as usual
      event.preventDefault();
      this.addFiles(files);
    });
    const voiceButton = root.querySelector("#voice-button");
    if (voiceButton) {
      this.voice = new VoiceRecorder({ button: voiceButton, onRecorded: (file) => this.add(file, { voice: true }),
        onError: (text) => composer.showError(text) });
    }
  }

  _dropZone(root) {
    const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
    let depth = 0;
    root.addEventListener("dragenter", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth += 1;
      root.classList.add("att-dropping");
    });
    root.addEventListener("dragover", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    root.addEventListener("dragleave", () => {
      depth = Math.max(0, depth - 1);
      if (!depth) root.classList.remove("att-dropping");
    });
    root.addEventListener("drop", (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      root.classList.remove("att-dropping");
      this.addFiles(event.dataTransfer.files);
    });
  }

  addFiles(files) {
    for (const file of files) {
      if (this.items.length >= this.max) {
        this.composer.showError(t("att_too_many", { limit: this.max }));
        break;
      }
      this.add(file);
    }
    this.composer.focus();
  }

  /** Put a file in the tray and upload it. */
  add(file, { voice = false } = {}) {
    const item = { file, voice, state: "uploading", attachment: null, node: this._node(file, voice) };
    this.items.push(item);
    this.list.append(item.node);
    this.list.hidden = false;
    if (file.size > this.maxBytes) {
      this._failed(item, { message: t("att_too_big", { limit: Math.round(this.maxBytes / 1048576) }) }, false);
    } else {
      this._upload(item);
    }
  }

  _node(file, voice) {
    const node = document.getElementById("tpl-att-item").content.firstElementChild.cloneNode(true);
    node.querySelector(".att-item-name").textContent = voice ? t("att_voice") : file.name;
    const progress = node.querySelector("progress");
    progress.setAttribute("aria-label", t("att_uploading", { name: file.name }));
    if (file.type?.startsWith("image/")) {
      const img = node.querySelector(".att-item-preview");
      img.addEventListener("error", () => { // not a picture the browser can draw: the file icon
        img.hidden = true;
        node.querySelector(".att-item-icon").hidden = false;
      });
      img.src = URL.createObjectURL(file);
      img.hidden = false;
    } else {
      node.querySelector(".att-item-icon").hidden = false;
    }
    node.querySelector(".att-item-remove").setAttribute("aria-label", t("att_remove", { name: file.name }));
    return node;
  }

  _upload(item) {
    const { node } = item;
    const progress = node.querySelector("progress");
    item.state = "uploading";
    node.dataset.state = "uploading";
    node.querySelector(".att-item-error").textContent = "";
    node.querySelector(".att-item-retry").hidden = true;
    progress.hidden = false;
    progress.value = 0;
    item.request = uploadFile(this.url, item.file, { voice: item.voice, onProgress: (f) => { progress.value = Math.round(f * 100); } });
    item.request.done.then((attachment) => {
      item.attachment = attachment;
      item.state = "done";
      node.dataset.state = "done";
      node.dataset.attachmentId = attachment.id;
      progress.value = 100;
      progress.hidden = true;
      if (!this.problem()) this.composer.showError("");
    }, (err) => { if (err.code !== "aborted") this._failed(item, err, RETRYABLE.has(err.code)); });
    node.querySelector(".att-item-remove").onclick = () => this._remove(item);
    node.querySelector(".att-item-retry").onclick = () => this._upload(item);
  }

  _failed(item, err, retryable) {
    item.state = "failed";
    item.node.dataset.state = "failed";
    item.node.querySelector("progress").hidden = true;
    item.node.querySelector(".att-item-error").textContent = err.message || t("att_upload_failed");
    item.node.querySelector(".att-item-retry").hidden = !retryable || !item.file;
    item.node.querySelector(".att-item-remove").onclick = () => this._remove(item);
  }

  _remove(item) {
    item.request?.abort();
    item.node.remove();
    this.items = this.items.filter((i) => i !== item);
    this.list.hidden = !this.items.length;
    if (!this.problem()) this.composer.showError("");
  }

  /** Why Send must wait (an upload running or failed), or null. */
  problem() {
    if (this.items.some((i) => i.state === "uploading")) return t("att_wait");
    if (this.items.some((i) => i.state === "failed")) return t("att_fix_failed");
    return null;
  }

  /** The uploaded files, in the tray's order. */
  ready() {
    return this.items.filter((i) => i.state === "done").map((i) => i.attachment);
  }

  clear() {
    for (const item of this.items) item.node.remove();
    this.items = [];
    this.list.hidden = true;
  }

  /** A refused message's files come back to the tray, uploaded already. */
  giveBack(attachments) {
    for (const attachment of attachments || []) {
      const node = this._node({ name: attachment.name, type: "" }, attachment.kind === "voice");
      const item = { file: null, voice: false, state: "done", attachment, node };
      node.dataset.state = "done";
      node.querySelector("progress").hidden = true;
      node.querySelector(".att-item-remove").onclick = () => this._remove(item);
      this.items.push(item);
      this.list.append(node);
      this.list.hidden = false;
    }
  }
}
