// "派往其他实践站": choosing from the full list replaces the suggested station.
document.querySelectorAll("[data-other-station]").forEach(function (select) {
  "use strict";
  var details = select.closest("details");
  details.addEventListener("toggle", function () {
    select.disabled = !details.open;
    details.closest("form").querySelectorAll("input[name=station]").forEach(function (r) { r.disabled = details.open; });
  });
});
