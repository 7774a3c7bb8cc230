// The point-picking map of the report, patrol-finding and volunteer-order forms (geo/_pick_map.html).
// Without a tile server it draws the district from its own records: grid blocks with white edges (they read
// as the roads between blocks), community and street boundaries, buildings (footprints derived from their
// points) and place names, each at the zooms where it helps. With a tile URL the tiles carry the streets and
// buildings and only the boundaries and names are drawn over them; a GCJ-02 provider gets the shifted CRS
// (geo/gcj02.js). A tap drops the pin and the server names the place (street, community, grid). The search
// box finds buildings, addresses and communities and pans there. Names go in as text nodes (civicgrid.el).
//
// Other scripts use window.civicgrid.pickMap: { map, pin(latlng, by), unpin(), pinnedBy(), marker(),
// onChange(fn) }, fn(state) after every pin or unpin (state: {lat, lng, by} or null).
(function () {
  "use strict";
  var box = document.getElementById("report-map");
  var cfgNode = document.getElementById("pick-map-config");
  var lat = document.querySelector("input[name=lat]");
  var lng = document.querySelector("input[name=lng]");
  if (!box || !cfgNode || !window.L || !lat || !lng) return;
  var cfg = JSON.parse(cfgNode.textContent);
  var cg = window.civicgrid;
  var el = cg.el;
  var picked = document.getElementById("picked");
  var clear = document.getElementById("clear-pin");
  var locateBtn = document.getElementById("locate-me");
  var tiles = !!cfg.tileUrl;

  var map = L.map(box, {
    crs: cg.gcj02.crsFor(tiles ? cfg.tileCrs : "wgs84"), zoomSnap: 0.25, maxZoom: 19, minZoom: 10,
    attributionControl: tiles, scrollWheelZoom: false, tap: false, preferCanvas: false
  });
  map.setView([41.25, 123.245], 12);
  if (tiles) {
    box.classList.add("has-tiles");
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  map.createPane("blocks").style.zIndex = 380;
  map.createPane("buildings").style.zIndex = 390;
  map.createPane("lines").style.zIndex = 400;
  map.createPane("labels").style.zIndex = 450;
  map.getPane("labels").style.pointerEvents = "none";

  // ---- layers ----------------------------------------------------------------------------------------
  var STYLE = {
    grid: tiles ? { pane: "lines", color: "#667085", weight: 1, opacity: .6, dashArray: "3 4", fill: false }
                : { pane: "blocks", color: "#ffffff", weight: 4, opacity: 1, fillColor: "#ebe6dc", fillOpacity: 1 },
    community: { pane: "lines", color: "#98a2b3", weight: 1.5, opacity: .9, dashArray: "6 5", fill: false },
    street: { pane: "lines", color: "#7f56d9", weight: 2.5, opacity: .55, dashArray: "10 6 2 6", fill: false }
  };
  // which labels show at which zoom [from, to)
  var LABEL_ZOOMS = { street: [10, 13.5], community: [12.5, 15.5], grid: [14.5, 20], estate: [15.5, 20], building: [16.5, 20] };
  var labels = { street: [], community: [], grid: [], estate: [], building: [] };
  var labelLayer = L.layerGroup().addTo(map);

  function label(kind, latlng, text) {
    var icon = L.divIcon({ className: "map-label-icon", iconSize: [0, 0],
      html: el("span", { className: "map-label " + kind }, text) });
    return L.marker(latlng, { icon: icon, pane: "labels", interactive: false, keyboard: false });
  }

  function showLabels() {
    var z = map.getZoom(), view = map.getBounds().pad(0.2), placed = [];
    Object.keys(labels).forEach(function (kind) {  // in order of importance: streets first
      var on = z >= LABEL_ZOOMS[kind][0] && z < LABEL_ZOOMS[kind][1];
      labels[kind].forEach(function (m) {
        var want = on && view.contains(m.getLatLng());
        if (want && !labelLayer.hasLayer(m)) labelLayer.addLayer(m);
        else if (!want && labelLayer.hasLayer(m)) labelLayer.removeLayer(m);
        if (want) placed.push(m.getElement().firstChild);
      });
    });
    // a label that would overlap a more important one stays hidden until the zoom makes room
    var taken = [];
    placed.forEach(function (span) {
      span.classList.remove("is-crowded");
      var r = span.getBoundingClientRect();
      var clash = taken.some(function (t) {
        return r.left < t.right + 4 && r.right + 4 > t.left && r.top < t.bottom + 2 && r.bottom + 2 > t.top;
      });
      if (clash) { span.classList.add("is-crowded"); } else { taken.push(r); }
    });
    box.setAttribute("data-zoom", String(z));
  }

  // the white edges between blocks read as roads: wider as the map zooms in
  function roadWidth() {
    if (tiles || !loaded.grid) return;
    var z = map.getZoom();
    loaded.grid.setStyle({ weight: Math.max(3, Math.min(14, Math.round(3 * Math.pow(1.6, z - 13)))) });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); });
  }

  var loaded = {};
  function loadLevel(level) {
    return getJson(cfg.layersUrl.replace("__level__", level)).then(function (fc) {
      var layer = L.geoJSON(fc, {
        style: function () { return STYLE[level]; },
        // a tap on a block bubbles to the map, which drops the pin; the lines take no taps
        interactive: level === "grid"
      }).addTo(map);
      loaded[level] = layer;
      labels[level] = fc.features.map(function (f) {
        var p = f.properties;
        var at = p.label_at ? L.latLng(p.label_at[1], p.label_at[0]) : L.geoJSON(f).getBounds().getCenter();
        return label(level, at, p.label);
      });
      return layer;
    });
  }

  var ready = Promise.all(["grid", "community", "street"].map(loadLevel)).then(function () {
    if (loaded.street && !marker) map.fitBounds(loaded.street.getBounds(), { padding: [8, 8] });
    box.setAttribute("data-layers", "ready");
    roadWidth();
    showLabels();
  }).catch(function () { box.setAttribute("data-layers", "failed"); });

  // buildings: fetched for the view when zoomed in, a box snapped outwards so the same view asks the same URL
  var SNAP = 0.0025, BUILDING_ZOOM = 15.5;
  var buildings = null, buildingBox = null, buildingPoints = [], asked = 0;
  var buildingStyle = { pane: "buildings", color: "#c2b4a3", weight: 1, fillColor: "#dcd0c2", fillOpacity: 1 };

  function snapped(bounds) {
    function down(v) { return (Math.floor(v / SNAP) * SNAP).toFixed(4); }
    function up(v) { return (Math.ceil(v / SNAP) * SNAP).toFixed(4); }
    return [down(bounds.getWest()), down(bounds.getSouth()), up(bounds.getEast()), up(bounds.getNorth())];
  }

  function loadBuildings() {
    if (tiles) return;  // the tiles draw buildings
    var visible = map.getZoom() >= BUILDING_ZOOM;
    if (buildings) { if (visible) { if (!map.hasLayer(buildings)) buildings.addTo(map); } else { map.removeLayer(buildings); } }
    if (!visible) return;
    if (buildingBox && buildingBox.contains(map.getBounds())) return;
    var b = snapped(map.getBounds().pad(0.3));
    var ticket = ++asked;
    getJson(cfg.buildingsUrl + "?bbox=" + b.join(",")).then(function (fc) {
      if (ticket !== asked) return;
      if (buildings) map.removeLayer(buildings);
      buildingBox = L.latLngBounds([+b[1], +b[0]], [+b[3], +b[2]]);
      buildings = L.geoJSON(fc, { style: function () { return buildingStyle; }, interactive: false });
      if (map.getZoom() >= BUILDING_ZOOM) buildings.addTo(map);
      buildingPoints = fc.features.map(function (f) {
        var p = f.properties;
        return { name: p.name, at: L.latLng(p.point[1], p.point[0]) };
      });
      labels.building = buildingPoints.map(function (bp) {
        var m = /(\d+号楼?)$/.exec(bp.name);
        return label("building", bp.at, m ? m[1] : bp.name);
      });
      labels.estate = (fc.estates || []).map(function (e) { return label("estate", L.latLng(e.lat, e.lng), e.name); });
      labelLayer.clearLayers();
      showLabels();
      box.setAttribute("data-buildings", String(fc.features.length));
    }).catch(function () { /* the base map still works without buildings */ });
  }

  map.on("zoomend", roadWidth);
  map.on("zoomend moveend", function () { showLabels(); loadBuildings(); });

  // ---- the pin and the place's name --------------------------------------------------------------------
  var marker = null, by = null, listeners = [], named = 0;

  function nearestBuilding(at) {
    var best = null, bestD = 60;  // metres: "next to" a building
    buildingPoints.forEach(function (bp) {
      var d = map.distance(at, bp.at);
      if (d < bestD) { best = bp; bestD = d; }
    });
    return best;
  }

  function say(parts, outside) {
    picked.textContent = "";
    picked.classList.toggle("is-outside", !!outside);
    parts.forEach(function (p) { picked.appendChild(p); });
  }

  function name(p) {
    var ticket = ++named;
    var coords = p.lat.toFixed(5) + ", " + p.lng.toFixed(5);
    say([document.createTextNode("已选点,正在识别位置…")]);
    getJson(cfg.placeUrl + "?lat=" + p.lat.toFixed(6) + "&lng=" + p.lng.toFixed(6)).then(function (place) {
      if (ticket !== named) return;
      if (!place.found) {
        say([document.createTextNode("所选位置不在本区网格范围内,请在地图上重新选点或选择网格"),
             el("span", { className: "coords" }, coords)], true);
        return;
      }
      var near = nearestBuilding(p);
      say([document.createTextNode("已选点:"), el("strong", null, place.label),
           near ? document.createTextNode(" · " + near.name + "附近") : null].filter(Boolean));
      picked.setAttribute("data-grid", place.grid ? place.grid.code : "");
    }).catch(function () {
      if (ticket === named) say([document.createTextNode("已选点:" + coords)]);
    });
  }

  function pin(latlng, how) {
    var p = L.latLng(latlng);
    by = how || "user";
    if (marker) { marker.setLatLng(p); } else {
      marker = L.circleMarker(p, { radius: 10, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1,
                                   pane: "markerPane" }).addTo(map);
    }
    lat.value = p.lat.toFixed(6);
    lng.value = p.lng.toFixed(6);
    clear.hidden = false;
    name(p);
    listeners.forEach(function (fn) { fn({ lat: p.lat, lng: p.lng, by: by }); });
  }

  function unpin() {
    if (marker) { map.removeLayer(marker); marker = null; }
    lat.value = ""; lng.value = ""; clear.hidden = true; by = null; ++named;
    say([]);
    picked.removeAttribute("data-grid");
    listeners.forEach(function (fn) { fn(null); });
  }

  map.on("click", function (e) { pin(e.latlng); });
  clear.addEventListener("click", unpin);
  if (lat.value && lng.value) {
    pin([parseFloat(lat.value), parseFloat(lng.value)]);
    map.setView(marker.getLatLng(), 17);
  }

  locateBtn.addEventListener("click", function () {
    if (!navigator.geolocation) { say([document.createTextNode("此设备不支持定位,请在地图上点选")]); return; }
    say([document.createTextNode("正在定位…")]);
    navigator.geolocation.getCurrentPosition(function (pos) {
      pin([pos.coords.latitude, pos.coords.longitude]);
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 17));
    }, function () { say([document.createTextNode("无法获取位置,请在地图上点选或选择网格")]); },
    { enableHighAccuracy: true, timeout: 10000 });
  });

  // ---- search ------------------------------------------------------------------------------------------
  var search = document.querySelector("[data-map-search]");
  var input = document.getElementById("map-search");
  var list = document.getElementById("map-search-results");
  var KIND = { building: "楼栋", community: "社区", grid: "网格" };
  var hits = [], active = -1, typed = 0, timer = null;
  if (search && input && list) {
    search.hidden = false;

    var close = function () { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    var choose = function (hit) {
      close();
      input.value = hit.name;
      var at = L.latLng(hit.lat, hit.lng);
      map.setView(at, hit.kind === "building" ? 18 : (hit.kind === "grid" ? 16 : 15));
      if (hit.kind === "building") pin(at, "search");
    };
    var mark = function (i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) { li.setAttribute("aria-selected", String(j === i)); });
    };
    var show = function (items) {
      hits = items;
      list.textContent = "";
      if (!items.length) {
        list.appendChild(el("li", { className: "hit-empty", role: "option" }, "没有找到,换个名称或门牌号试试"));
      }
      items.forEach(function (hit, i) {
        var li = el("li", { role: "option", id: "map-hit-" + i, "aria-selected": "false" },
          el("span", { className: "hit-name" }, el("span", { className: "hit-kind" }, KIND[hit.kind] || ""), hit.name),
          el("span", { className: "hit-line" }, [hit.area, hit.address].filter(Boolean).join(" · ")));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(hit); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { close(); return; }
      timer = setTimeout(function () {
        var ticket = ++typed;
        getJson(cfg.searchUrl + "?q=" + encodeURIComponent(q)).then(function (items) {
          if (ticket === typed && input.value.trim() === q) show(items);
        }).catch(close);
      }, 200);
    });
    input.addEventListener("keydown", function (e) {
      // Enter must not submit the report form around the map
      if (e.key === "Enter") { e.preventDefault(); if (hits.length && !list.hidden) choose(hits[Math.max(active, 0)]); }
      else if (e.key === "ArrowDown" && hits.length) { e.preventDefault(); mark((active + 1) % hits.length); }
      else if (e.key === "ArrowUp" && hits.length) { e.preventDefault(); mark((active - 1 + hits.length) % hits.length); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  cg.pickMap = {
    map: map, pin: pin, unpin: unpin, ready: ready,
    pinnedBy: function () { return by; },
    marker: function () { return marker; },
    onChange: function (fn) { listeners.push(fn); }
  };
})();
