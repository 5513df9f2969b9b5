// Follow the system's light or dark setting with Bootstrap's color modes (data-bs-theme).
// A classic script in <head>, not a module: it runs before first paint, so a dark
// page never flashes white. Bootstrap's CSS keys dark mode on the attribute only, and the
// CSP forbids an inline script, hence this file.
(() => {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => document.documentElement.setAttribute("data-bs-theme", dark.matches ? "dark" : "light");
  apply();
  dark.addEventListener("change", apply);
})();
