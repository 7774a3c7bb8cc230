// The shell's script, loaded in <head> (not deferred) so that the "js" class is there before the first
// paint: app.css hides the phone menu only under it, so without scripts the menu simply stays open.
// It also carries the behaviours templates used to write as inline scripts and handlers, which the
// Content-Security-Policy forbids: a form with data-confirm="..." asks before it submits, a control with
// data-autosubmit submits its form when it changes, and a hidden input[data-idempotency] gets a fresh key.
document.documentElement.classList.add("js");
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (!toggle) return;
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = menu.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(".site-menu.open").forEach(function (menu) {
      menu.classList.remove("open");
      var toggle = document.querySelector('[aria-controls="' + menu.id + '"]');
      if (toggle) toggle.setAttribute("aria-expanded", "false");
    });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });
  // One key per form: a retried submission (double tap, flaky network) creates the record once.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-idempotency]").forEach(function (input) {
      if (!input.value) input.value = (self.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    });
  });
  document.addEventListener("change", function (event) {
    var control = event.target.closest("[data-autosubmit]");
    if (!control || !control.form) return;
    if (control.form.requestSubmit) { control.form.requestSubmit(); } else { control.form.submit(); }
  });
})();
