// The grid map: the region polygons in the user's reach from the boundaries API, a label on each and a
// popup linking to the region's page, and the same regions as a list under the map. Region names go in as
// text nodes (civicgrid.el, js/safe.js): Leaflet reads a string tooltip or popup as HTML.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var el = window.civicgrid.el;
  var status = document.getElementById("map-status");
  function say(text) { status.textContent = text; status.hidden = !text; }
  if (cfg.error) { say(cfg.error); return; }

  var map = L.map("map", { crs: window.civicgrid.gcj02.crsFor(cfg.tileUrl ? cfg.tileCrs : ""), zoomSnap: 0.25, attributionControl: !!cfg.tileUrl, preferCanvas: false });
  if (cfg.tileUrl) { L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map); }
  map.setView([41.15, 123.2], 11);

  var base = { color: "#b3261e", weight: 1.5, opacity: .9, fillColor: "#b3261e", fillOpacity: .12 };
  var hover = { weight: 3, fillOpacity: .3 };
  function detailUrl(code) { return cfg.detailUrl.replace("__code__", encodeURIComponent(code)); }

  fetch(cfg.apiUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
    .then(function (res) {
      if (!res.ok) { say(res.body.message || cfg.text.failed); return; }
      var features = res.body.features || [];
      if (!features.length) { say(cfg.text.empty); return; }
      var layer = L.geoJSON(res.body, {
        style: function () { return base; },
        onEachFeature: function (f, l) {
          var p = f.properties;
          // Few polygons: a permanent label on each; many: the label follows the pointer on hover.
          var few = features.length <= 40;
          l.bindTooltip(el("span", null, p.name, el("span", { className: "tip-code" }, p.code)),
            few ? { permanent: true, direction: "center", className: "region-tip region-label" }
                : { sticky: true, className: "region-tip" });
          l.bindPopup(el("div", { className: "region-popup" }, el("strong", null, p.name),
            el("span", { className: "code" }, p.level_label + " " + p.code), el("br"),
            el("a", { href: detailUrl(p.code) }, cfg.text.detail)));
          l.on("mouseover", function () { l.setStyle(hover); });
          l.on("mouseout", function () { layer.resetStyle(l); });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [16, 16] });
      say("");
      document.getElementById("map-legend").textContent = cfg.text.count.replace("%s", features.length);
      var list = el("ul", { className: "region-list" });
      features.forEach(function (f) {
        var p = f.properties;
        list.appendChild(el("li", null, el("a", { href: detailUrl(p.code) },
          el("span", { className: "badge" }, p.level_label),
          el("span", { className: "name" }, el("strong", null, p.name), el("span", { className: "code" }, p.code)),
          el("span", { className: "chev", "aria-hidden": "true" }, "›"))));
      });
      document.getElementById("map-list").appendChild(list);
    })
    .catch(function () { say(cfg.text.failed); });
})();
