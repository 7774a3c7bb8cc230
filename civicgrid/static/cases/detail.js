// The case page: a link to #act-<action> (e.g. 我的诉求's "请评价") opens that action's form, and the
// mini map shows the case's point (data-lat/data-lng on #case-map) and its region's outline.
(function () {
  "use strict";
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView({ block: "start" }); }

  var el = document.getElementById("case-map");
  if (!el || !window.L) return;
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, zoomControl: true, scrollWheelZoom: false, dragging: !L.Browser.mobile, tap: false });
  var boundaryEl = document.getElementById("case-boundary");
  var boundary = boundaryEl ? JSON.parse(boundaryEl.textContent) : null;
  var area = boundary ? L.geoJSON(boundary, { style: { color: "#b3261e", weight: 1.5, fillOpacity: .08 } }) : null;
  var bounds = area ? area.getBounds() : null;
  // set the view before adding any layer: vector layers queued before the map has a view share one
  // renderer that is not ready yet when the first of them is drawn (Leaflet throws and draws nothing)
  if (el.dataset.lat) {
    var point = [Number(el.dataset.lat), Number(el.dataset.lng)];
    if (bounds) { bounds.extend(point); map.fitBounds(bounds, { padding: [16, 16] }); } else { map.setView(point, 15); }
    if (area) area.addTo(map);
    L.circleMarker(point, { radius: 9, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1 }).addTo(map);
  } else if (bounds) {
    map.fitBounds(bounds, { padding: [16, 16] }); area.addTo(map);
  }
})();
