// The map of cases: draws the GeoJSON of visible cases on a plain background, with tiles when
// the tile server answers. Points are clustered so that thousands stay readable.
(function () {
  "use strict";
  var element = document.getElementById("case-map");
  if (!element || !window.L) { return; }
  var words = JSON.parse(element.dataset.words);
  var count = document.getElementById("map-count");

  var map = L.map(element, { worldCopyJump: true }).setView([20, 0], 2);
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18,
    attribution: element.dataset.attribution,
    // a tile that does not load stays transparent: the points still show on the background
    errorTileUrl: "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==",
  }).addTo(map);

  L.control.scale({ imperial: false }).addTo(map);

  // Lines of latitude and longitude: some bearing on a plain background when no tiles load.
  map.createPane("graticule").style.zIndex = 150; // under the tiles: hidden once they load
  var graticule = L.layerGroup().addTo(map);
  function drawGraticule() {
    var zoom = map.getZoom();
    var step = zoom <= 2 ? 30 : zoom <= 4 ? 10 : zoom <= 6 ? 5 : zoom <= 8 ? 1 : zoom <= 11 ? 0.5 : 0.1;
    var bounds = map.getBounds();
    var south = Math.max(-85, Math.floor(bounds.getSouth() / step) * step);
    var north = Math.min(85, Math.ceil(bounds.getNorth() / step) * step);
    var west = Math.floor(bounds.getWest() / step) * step;
    var east = Math.ceil(bounds.getEast() / step) * step;
    var style = { pane: "graticule", className: "graticule", weight: 1, interactive: false };
    graticule.clearLayers();
    for (var lat = south; lat <= north + 1e-9; lat += step) {
      graticule.addLayer(L.polyline([[lat, west], [lat, east]], style));
    }
    for (var lon = west; lon <= east + 1e-9; lon += step) {
      graticule.addLayer(L.polyline([[south, lon], [north, lon]], style));
    }
  }
  map.on("moveend", drawGraticule);
  drawGraticule();

  // Country outlines (Natural Earth 1:110m), served with the app, under the tiles.
  if (element.dataset.outline && window.topojson) {
    fetch(element.dataset.outline)
      .then(function (response) { return response.json(); })
      .then(function (topology) {
        L.geoJSON(topojson.feature(topology, topology.objects.countries), {
          pane: "graticule",
          interactive: false,
          style: { className: "country", weight: 1 },
        }).addTo(map);
      })
      .catch(function () { /* the points still show on the plain background */ });
  }

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
