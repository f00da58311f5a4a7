// The map of cases: draws the GeoJSON of visible cases on a plain background, with tiles when
// the tile server answers. Points are clustered so that thousands stay readable.
(function () {
  "use strict";
  var element = document.getElementById("case-map");
  if (!element || !window.L || !window.caseworkBasemap) { return; }
  var words = JSON.parse(element.dataset.words);
  var count = document.getElementById("map-count");

  var map = window.caseworkBasemap(element);

  var routes = L.featureGroup();

  function caseUrl(properties) {
    var template = properties.kind === "remains" ? element.dataset.remainsUrl : element.dataset.missingUrl;
    return template.replace("REFERENCE", encodeURIComponent(properties.reference));
  }

  function popup(properties) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = caseUrl(properties);
    link.textContent = properties.reference;
    box.appendChild(link);
    var lines = [
      words[properties.kind] + " · " + (words.statuses[properties.status] || properties.status),
      words[properties.layer] + (properties.date ? " " + properties.date : ""),
    ];
    lines.forEach(function (text) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(text));
    });
    return box;
  }

  function marker(feature, latlng) {
    var properties = feature.properties;
    var icon = L.divIcon({
      className: "case-marker " + properties.kind,
      iconSize: [14, 14],
      html: "",
    });
    return L.marker(latlng, {
      icon: icon,
      title: properties.reference,
      alt: properties.reference,
      keyboard: true,
    });
  }

  function shown(total) {
    count.textContent = document.getElementById("map-count-words").content.textContent
      .replace("COUNT", String(total));
    element.dataset.ready = String(total);
  }

  function draw(collection) {
    var points = [];
    L.geoJSON(collection, {
      pointToLayer: marker,
      style: function () { return { className: "case-route", weight: 3, dashArray: "6 4" }; },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () { return popup(feature.properties); });
        if (feature.geometry.type === "Point") { points.push(layer); } else { routes.addLayer(layer); }
      },
    });
    var bounds = L.latLngBounds(points.map(function (point) { return point.getLatLng(); }));
    if (routes.getLayers().length) { bounds.extend(routes.getBounds()); }
    if (bounds.isValid()) { map.fitBounds(bounds.pad(0.2), { maxZoom: 8, animate: false }); }
    map.addLayer(routes);
    // Thousands of points are added in chunks, so the page stays responsive while they load.
    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      chunkProgress: function (processed, total) {
        if (processed === total) { shown(total); }
      },
    }).addTo(map);
    if (points.length) { clusters.addLayers(points); } else { shown(0); }
  }

  fetch(element.dataset.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      if (window.console) { console.error(error); }
      count.textContent = document.getElementById("map-failed-words").content.textContent;
      element.dataset.ready = "failed";
    });
})();
