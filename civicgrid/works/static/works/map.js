// The public map of finished improvement works: points and polygons from the public GeoJSON, a popup per
// work (name, type, quantities, department, date) and the same works as a list. Text goes in as text nodes
// (civicgrid.el, js/safe.js): Leaflet reads a string popup as HTML.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("works-map-config").textContent);
  var el = window.civicgrid.el;
  var status = document.getElementById("map-status");
  function say(text) { status.textContent = text; status.hidden = !text; }

  var map = L.map("map", { crs: window.civicgrid.gcj02.crsFor(cfg.tileUrl ? cfg.tileCrs : ""), zoomSnap: 0.25, attributionControl: !!cfg.tileUrl });
  if (cfg.tileUrl) { L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map); }
  map.setView([41.15, 123.2], 12);
  // the streets under the works, so the map has a place without a tile server
  var outlines = L.geoJSON(JSON.parse(document.getElementById("works-map-outlines").textContent), {
    style: function () { return { color: "#98a2b3", weight: 1.2, fillColor: "#eaecf0", fillOpacity: .35 }; },
    onEachFeature: function (f, l) {
      l.bindTooltip(civicgrid.text(f.properties.name), { permanent: true, direction: "center", className: "street-label" });
    }
  }).addTo(map);
  if (outlines.getLayers().length) { map.fitBounds(outlines.getBounds(), { padding: [8, 8] }); }
  var COLORS = cfg.colors;

  function popup(p) {
    var q = el("ul", { className: "q" });
    p.quantities.forEach(function (x) { q.appendChild(el("li", null, x.label + ":" + x.value + " " + x.unit)); });
    return el("div", { className: "work-popup" }, el("strong", null, p.name),
      el("span", { className: "muted" }, p.kind_label + " · " + p.street), q,
      el("span", { className: "muted" }, p.department + " · " + p.finished_on));
  }

  fetch(cfg.apiUrl, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
    .then(function (res) {
      if (!res.ok) { say(res.body.message || cfg.text.failed); return; }
      var features = res.body.features || [];
      if (!features.length) { say(cfg.text.empty); return; }
      var layer = L.geoJSON(res.body, {
        style: function (f) { var c = COLORS[f.properties.kind] || "#b3261e"; return { color: c, weight: 2, fillColor: c, fillOpacity: .3 }; },
        pointToLayer: function (f, latlng) {
          var c = COLORS[f.properties.kind] || "#b3261e";
          return L.circleMarker(latlng, { radius: 7, color: "#fff", weight: 1.5, fillColor: c, fillOpacity: .95 });
        },
        onEachFeature: function (f, l) { l.bindPopup(popup(f.properties)); }
      }).addTo(map);
      // an area (a wall, a road section) is small at district scale: a marker at its centre as well
      features.forEach(function (f) {
        if (f.geometry.type === "Point") return;
        var c = COLORS[f.properties.kind] || "#b3261e";
        L.circleMarker([f.properties.lat, f.properties.lng], { radius: 7, color: "#fff", weight: 1.5, fillColor: c,
          fillOpacity: .95 }).bindPopup(popup(f.properties)).addTo(map);
      });
      if (!outlines.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 15 }); }
      say("");
      document.getElementById("map-legend").textContent = cfg.text.count.replace("%s", features.length);
    })
    .catch(function () { say(cfg.text.failed); });
})();
