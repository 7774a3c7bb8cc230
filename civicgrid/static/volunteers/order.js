// 紧急救援: the "call 120/110/119 first" notice appears as soon as an emergency item is chosen.
(function () {
  "use strict";
  var codes = JSON.parse(document.getElementById("emergency-codes").textContent);
  var select = document.querySelector("select[name=category]");
  var notice = document.getElementById("emergency-notice");
  if (!select || !notice) return;
  select.addEventListener("change", function () {
    notice.hidden = codes.indexOf(select.value) < 0;
    if (!notice.hidden) notice.scrollIntoView({ block: "nearest" });
  });
})();
