// An offer card in the conversation's history (parley.deals): who offered what, the counter
// on the table, its state, and the buttons this side may use now (Accept, Decline, Counter,
// Withdraw). Texts are set with textContent.
import { clone, fullDate } from "./util.js";

const BADGE = { pending: "text-bg-warning", accepted: "text-bg-success", declined: "text-bg-secondary", withdrawn: "text-bg-secondary", expired: "text-bg-secondary" };

/** Build the card of `offer` for this viewer; ctx: {me, role, otherName, tr, plainMoney, act}. */
export function renderOffer(offer, ctx) {
  const { tr, plainMoney } = ctx;
  const node = clone("tpl-offer-card");
  const mine = ctx.role === "buyer";
  node.dataset.offerId = String(offer.id);
  node.dataset.state = offer.state;
  node.classList.add(`offer-${offer.state}`);
  const first = plainMoney(offer.first_amount, offer.currency);
  node.querySelector(".offer-title").textContent = mine ? tr("offer_title_you", { amount: first }) : tr("offer_title_buyer", { name: ctx.otherName, amount: first });
  const amount = node.querySelector(".offer-amount");
  amount.textContent = offer.counters > 0 ? tr("offer_countered", { amount: plainMoney(offer.amount, offer.currency) }) : plainMoney(offer.amount, offer.currency);
  node.querySelector(".offer-first").remove();
  const badge = node.querySelector(".offer-badge");
  badge.classList.add(BADGE[offer.state] || "text-bg-secondary");
  const note = node.querySelector(".offer-note");
  if (offer.state === "pending") {
    badge.textContent = tr("offer_pending");
    const waiting = offer.awaiting === ctx.role ? tr("offer_waiting_you") : tr("offer_waiting_other", { name: ctx.otherName });
    note.textContent = `${waiting} · ${tr("offer_expires", { when: fullDate(offer.expires_at) })}`;
  } else {
    badge.textContent = tr(`offer_${offer.state}`);
    if (offer.state === "declined" && offer.reason) note.textContent = tr(`offer_declined_${offer.reason}`);
  }
  wireActions(node, offer, ctx);
  return node;
}

function wireActions(node, offer, ctx) {
  const myTurn = offer.state === "pending" && offer.awaiting === ctx.role;
  const show = {
    ".offer-accept": myTurn, ".offer-decline": myTurn, ".offer-counter": myTurn,
    ".offer-withdraw": offer.state === "pending" && ctx.role === "buyer",
  };
  let any = false;
  for (const [selector, on] of Object.entries(show)) {
    const button = node.querySelector(selector);
    if (!on) button.remove();
    any = any || on;
  }
  const actions = node.querySelector(".offer-actions");
  const form = node.querySelector(".offer-counter-form");
  if (!any) {
    actions.remove();
    form.remove();
    return;
  }
  const respond = (action, amount) => ctx.act({ type: "offer_respond", offer_id: offer.id, action, ...(amount ? { amount } : {}) });
  node.querySelector(".offer-accept")?.addEventListener("click", () => respond("accept"));
  node.querySelector(".offer-decline")?.addEventListener("click", () => respond("decline"));
  node.querySelector(".offer-withdraw")?.addEventListener("click", () => respond("withdraw"));
  node.querySelector(".offer-counter")?.addEventListener("click", () => {
    form.hidden = !form.hidden;
    if (!form.hidden) form.querySelector("input").focus();
  });
  form.querySelector(".offer-currency").textContent = offer.currency;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const amount = form.querySelector("input").value.trim();
    if (amount) respond("counter", amount);
  });
}
