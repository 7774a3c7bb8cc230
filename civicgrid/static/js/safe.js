// Putting data into the page as text, never as markup. Leaflet's bindTooltip/bindPopup, ECharts' tooltip
// formatter and innerHTML all read a string as HTML, so a grid worker's finding title or a region name
// would run as script in whoever opens the page (issue 13, finding 2). Page scripts build nodes with
// civicgrid.el(...) (text goes in with textContent) and hand Leaflet the node; where a library only takes
// a string, civicgrid.escapeHtml(...) makes it inert. Loaded in <head> by base.html, before page scripts.
(function () {
  "use strict";
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function str(value) { return value == null ? "" : String(value); }

  function escapeHtml(value) {
    return str(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  // el("a", { href: url, className: "x" }, "text", otherNode, ...): strings become text nodes.
  function el(tag, attrs) {
    var node = document.createElement(tag), children = Array.prototype.slice.call(arguments, 2);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "className") { node.className = attrs[name]; } else { node.setAttribute(name, str(attrs[name])); }
    });
    children.forEach(function (child) {
      if (child == null || child === false) return;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(str(child)));
    });
    return node;
  }

  // A DOM node holding only text: what Leaflet's bindTooltip/bindPopup should be given.
  function text(value, className) { return el("span", className ? { className: className } : null, str(value)); }

  // The page's CSRF token, from the body's hx-headers (base.html): the csrftoken cookie is HttpOnly.
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  window.civicgrid = { escapeHtml: escapeHtml, el: el, text: text, csrfToken: csrfToken };
})();
