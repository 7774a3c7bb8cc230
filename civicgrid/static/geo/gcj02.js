// GCJ-02 ("Mars coordinates"), the datum Chinese map providers (AMap/高德, Tencent, Google's China tiles)
// draw their tiles in. civicgrid stores WGS84 (EPSG:4326) everywhere and never shifts stored data: when the
// configured tile provider is GCJ-02, the map gets a CRS that moves every WGS84 point onto the GCJ-02 tiles
// as it projects it (and back as it unprojects a tap), so layers, pins and taps all stay WGS84.
//
//   civicgrid.gcj02.fromWgs84(lat, lng) -> [lat, lng]   the published forward transform
//   civicgrid.gcj02.toWgs84(lat, lng)   -> [lat, lng]   its inverse, by iteration (< 1 mm)
//   civicgrid.gcj02.crsFor(name)        -> a Leaflet CRS: EPSG3857, shifted for "gcj02"
// Outside China the transform is the identity (the providers do not shift there either).
(function () {
  "use strict";
  var A = 6378245.0;  // Krasovsky 1940 semi-major axis, as the transform defines it
  var EE = 0.00669342162296594323;  // its first eccentricity squared
  var PI = Math.PI;

  function outOfChina(lat, lng) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }

  function shiftLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    r += (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    return r;
  }

  function shiftLng(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    r += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    r += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    return r;
  }

  function fromWgs84(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var dLat = shiftLat(lng - 105.0, lat - 35.0);
    var dLng = shiftLng(lng - 105.0, lat - 35.0);
    var radLat = lat / 180.0 * PI;
    var magic = Math.sin(radLat);
    magic = 1 - EE * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((A * (1 - EE)) / (magic * sqrtMagic) * PI);
    dLng = (dLng * 180.0) / (A / sqrtMagic * Math.cos(radLat) * PI);
    return [lat + dLat, lng + dLng];
  }

  function toWgs84(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    // the shift changes slowly: subtract it, measure the error of the guess, repeat
    var wLat = lat, wLng = lng;
    for (var i = 0; i < 30; i++) {
      var g = fromWgs84(wLat, wLng);
      var eLat = g[0] - lat, eLng = g[1] - lng;
      if (Math.abs(eLat) < 1e-10 && Math.abs(eLng) < 1e-10) break;
      wLat -= eLat; wLng -= eLng;
    }
    return [wLat, wLng];
  }

  function crsFor(name) {
    if (!window.L) return null;
    if (String(name || "").toLowerCase() !== "gcj02") return L.CRS.EPSG3857;
    var mercator = L.Projection.SphericalMercator;
    var projection = L.extend({}, mercator, {
      project: function (latlng) {
        var g = fromWgs84(latlng.lat, latlng.lng);
        return mercator.project(L.latLng(g[0], g[1]));
      },
      unproject: function (point) {
        var g = mercator.unproject(point);
        var w = toWgs84(g.lat, g.lng);
        return L.latLng(w[0], w[1]);
      }
    });
    return L.extend({}, L.CRS.EPSG3857, { projection: projection });
  }

  window.civicgrid = window.civicgrid || {};
  window.civicgrid.gcj02 = { fromWgs84: fromWgs84, toWgs84: toWgs84, crsFor: crsFor, outOfChina: outOfChina };
})();
