// The shell's only script: the phone menu toggle. Without scripts the menu simply stays open: base.html
// adds the "js" class that app.css needs before it hides the menu.
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
})();
