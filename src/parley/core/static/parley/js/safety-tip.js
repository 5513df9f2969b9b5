// The "Safety tip" under a message the viewer received whose text carries risk flags (codes
// found on send by the server's risk detection: docs/architecture.md, "Safety tips").
import { clone, t } from "./util.js";

/** The "Safety tip" note for a message's flags: one sentence per code, a list when several. */
export function safetyTip(flags) {
  const tip = clone("tpl-safety-tip");
  const text = tip.querySelector(".safety-tip-text");
  const sentences = [...new Set(flags.map((code) => tipText(code)))];
  if (sentences.length === 1) {
    const p = document.createElement("p");
    p.textContent = sentences[0];
    text.append(p);
  } else {
    const ul = document.createElement("ul");
    for (const sentence of sentences) {
      const li = document.createElement("li");
      li.textContent = sentence;
      ul.append(li);
    }
    text.append(ul);
  }
  tip.dataset.flags = flags.join(",");
  return tip;
}

function tipText(code) {
  const key = `tip_${code}`;
  const text = t(key);
  return text && text !== key ? text : t("tip_other");
}
