// Map pickers of the case forms: a point (where remains were recovered, where a person was last
// seen) and a route (the intended journey). The typed fields stay the source of truth: the map
// writes into them, and typing in them moves the map. Without this script the fields alone work.
(function () {
  "use strict";
  if (!window.L || !window.caseworkBasemap) { return; }
  var DIGITS = 5; // about a metre

  function round(value) { return Number(value.toFixed(DIGITS)); }

  function typedNumber(input) {
    var text = input.value.trim().replace(",", ".");
    if (!text) { return null; }
    var value = Number(text);
    return isFinite(value) ? value : NaN;
  }

  function setUp(box, id) {
    box.hidden = false;
    var element = document.getElementById(id);
    var map = window.caseworkBasemap(element);
    return { element: element, map: map, status: box.querySelector("[data-status]") };
  }

  function button(box, action, listener) {
    var control = box.querySelector('[data-action="' + action + '"]');
    control.addEventListener("click", listener);
    return control;
  }

  function pointPicker(box) {
    var lat = document.getElementById(box.dataset.lat);
    var lon = document.getElementById(box.dataset.lon);
    if (!lat || !lon) { return; }
    var picker = setUp(box, lat.id + "-map");
    var map = picker.map;
    var marker = null;
    var icon = L.divIcon({ className: "picked-point", iconSize: [14, 14] });

    function typedPoint() {
      var y = typedNumber(lat), x = typedNumber(lon);
      if (y === null || x === null || isNaN(y) || isNaN(x) || Math.abs(y) > 90 || Math.abs(x) > 180) {
        return null;
      }
      return L.latLng(y, x);
    }

    function show(latlng) {
      if (!latlng) {
        if (marker) { map.removeLayer(marker); marker = null; }
        picker.element.dataset.point = "";
        return;
      }
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.marker(latlng, { icon: icon, interactive: false, keyboard: false }).addTo(map);
      }
      picker.element.dataset.point = latlng.lat + " " + latlng.lng;
    }

    function place(latlng) {
      latlng = latlng.wrap();
      lat.value = String(round(latlng.lat));
      lon.value = String(round(latlng.lng));
      show(typedPoint());
      picker.status.textContent = box.dataset.placed.replace("LAT", lat.value).replace("LON", lon.value);
    }

    map.on("click", function (event) { place(event.latlng); });
    [lat, lon].forEach(function (input) {
      input.addEventListener("input", function () {
        var latlng = typedPoint();
        show(latlng);
        if (latlng) { map.panTo(latlng, { animate: false }); }
      });
    });
    button(box, "centre", function () { place(map.getCenter()); });
    button(box, "clear", function () {
      lat.value = "";
      lon.value = "";
      show(null);
      picker.status.textContent = box.dataset.removed;
    });

    var start = typedPoint();
    if (start) { show(start); map.setView(start, 8); }
    picker.element.dataset.ready = "1";
  }

  // `LINESTRING (lon lat, lon lat, ...)`: a list of points, [] when empty, null when unreadable.
  function readRoute(text) {
    text = text.trim();
    if (!text) { return []; }
    var body = /^LINESTRING\s*\((.*)\)$/i.exec(text);
    if (!body) { return null; }
    var points = [];
    var pairs = body[1].split(",");
    for (var i = 0; i < pairs.length; i += 1) {
      var xy = pairs[i].trim().split(/\s+/);
      var x = Number(xy[0]), y = Number(xy[1]);
      if (xy.length < 2 || !isFinite(x) || !isFinite(y)) { return null; }
      points.push(L.latLng(y, x));
    }
    return points;
  }

  function writeRoute(points) {
    if (!points.length) { return ""; }
    return "LINESTRING (" + points.map(function (point) {
      return round(point.lng) + " " + round(point.lat);
    }).join(", ") + ")";
  }

  function routePicker(box) {
    var field = document.getElementById(box.dataset.route);
    if (!field) { return; }
    var picker = setUp(box, field.id + "-map");
    var map = picker.map;
    var points = readRoute(field.value) || [];
    var line = L.polyline([], { className: "picked-route", weight: 3, interactive: false }).addTo(map);
    var vertices = L.layerGroup().addTo(map);
    var undo, clear;

    function draw() {
      line.setLatLngs(points);
      vertices.clearLayers();
      points.forEach(function (point) {
        vertices.addLayer(L.circleMarker(point, { className: "route-vertex", radius: 4, interactive: false }));
      });
      undo.disabled = clear.disabled = points.length === 0;
      picker.element.dataset.vertices = String(points.length);
      picker.status.textContent = box.dataset.count.replace("COUNT", String(points.length));
    }

    function changed() {
      field.value = writeRoute(points);
      draw();
    }

    map.on("click", function (event) { points.push(event.latlng.wrap()); changed(); });
    button(box, "centre", function () { points.push(map.getCenter().wrap()); changed(); });
    undo = button(box, "undo", function () { points.pop(); changed(); });
    clear = button(box, "clear", function () { points = []; changed(); });
    field.addEventListener("input", function () {
      var typed = readRoute(field.value);
      if (typed === null) {
        picker.status.textContent = box.dataset.unreadable;
        return;
      }
      points = typed;
      draw();
    });

    draw();
    if (points.length) { map.fitBounds(line.getBounds().pad(0.2), { maxZoom: 8 }); }
    picker.element.dataset.ready = "1";
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-point-picker]"), pointPicker);
  Array.prototype.forEach.call(document.querySelectorAll("[data-route-picker]"), routePicker);
})();
