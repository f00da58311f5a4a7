// The candidate page's small map: the last-seen point, the intended route and the recovery
// point, read from the element's data (no inline script: the page's CSP allows none).
(function () {
  "use strict";
  var element = document.getElementById("candidate-map");
  if (!element || !window.L || !window.caseworkBasemap) { return; }
  var points = JSON.parse(element.dataset.points);
  var words = JSON.parse(element.dataset.words);
  var map = window.caseworkBasemap(element);
  var drawn = L.featureGroup().addTo(map);

  function marker(latlon, kind, word) {
    var icon = L.divIcon({ className: "case-marker " + kind, iconSize: [14, 14] });
    L.marker(latlon, { icon: icon, title: word, alt: word, keyboard: false }).addTo(drawn);
  }

  if (points.route && points.route.length > 1) {
    L.polyline(points.route, { className: "case-route candidate-route", weight: 3, dashArray: "6 4" })
      .bindTooltip(words.route).addTo(drawn);
  }
  if (points.last_seen) { marker(points.last_seen, "missing last-seen", words.last_seen); }
  if (points.recovery) { marker(points.recovery, "remains recovery", words.recovery); }
  var bounds = drawn.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.3), { maxZoom: 10 });
  }
  element.dataset.ready = "1";
})();
