// Demo accounts: one click fills the log-in form and submits it.
const box = document.getElementById("demo-accounts");
const form = document.getElementById("login-form");
if (box && form) {
  box.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-username]");
    if (!button) return;
    form.elements.username.value = button.dataset.username;
    form.elements.password.value = box.dataset.password || "";
    form.requestSubmit();
  });
}
