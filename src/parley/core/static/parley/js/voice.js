// Voice messages: click the microphone to record with MediaRecorder, click again to stop
// (it stops by itself at 2 minutes). While recording, the button shows the time and a bar of
// the 2 minutes; the recording then goes to the tray like any file and uploads.
import { t } from "./util.js";
import { formatDuration } from "./attachment-text.js";

const MAX_MS = 120000;
const TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus"];

export class VoiceRecorder {
  constructor({ button, onRecorded, onError }) {
    this.button = button;
    this.onRecorded = onRecorded;
    this.onError = onError;
    this.status = document.getElementById("voice-status");
    this.bar = this.status?.querySelector("progress");
    this.time = this.status?.querySelector(".voice-time");
    this.recorder = null;
    if (!globalThis.MediaRecorder || !navigator.mediaDevices?.getUserMedia) {
      button.hidden = true; // this browser cannot record
      return;
    }
    button.addEventListener("click", () => (this.recorder ? this.stop() : this.start()));
  }

  async start() {
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      this.onError(t("voice_no_microphone"));
      return;
    }
    const mimeType = TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
    const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    const chunks = [];
    recorder.addEventListener("dataavailable", (e) => { if (e.data.size) chunks.push(e.data); });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      const type = (recorder.mimeType || mimeType || "audio/webm").split(";")[0];
      const ext = type.includes("ogg") ? "ogg" : "webm";
      if (chunks.length) this.onRecorded(new File(chunks, `voice.${ext}`, { type }));
    });
    this.recorder = recorder;
    this.startedAt = Date.now();
    recorder.start(1000);
    this._show(true);
    this.timer = setInterval(() => this._tick(), 200);
  }

  stop() {
    if (!this.recorder) return;
    clearInterval(this.timer);
    const recorder = this.recorder;
    this.recorder = null;
    if (recorder.state !== "inactive") recorder.stop();
    this._show(false);
  }

  _tick() {
    const elapsed = Date.now() - this.startedAt;
    if (this.bar) this.bar.value = Math.min(elapsed, MAX_MS);
    if (this.time) this.time.textContent = `${formatDuration(elapsed)} / ${formatDuration(MAX_MS)}`;
    if (elapsed >= MAX_MS) this.stop();
  }

  _show(recording) {
    this.button.classList.toggle("recording", recording);
    this.button.setAttribute("aria-pressed", String(recording));
    this.button.setAttribute("aria-label", recording ? t("voice_stop") : t("voice_record"));
    this.button.title = this.button.getAttribute("aria-label");
    if (this.status) {
      this.status.hidden = !recording;
      if (this.bar) {
        this.bar.max = MAX_MS;
        this.bar.value = 0;
      }
      if (this.time) this.time.textContent = formatDuration(0);
    }
  }
}
