// The background every map of the app shares: tiles when the tile server answers, and under
// them lines of latitude and longitude and the country outlines served with the app, so a map
// still gives its bearings offline. Used by the map of cases and the point and route pickers.
(function () {
  "use strict";
  // a tile that does not load stays transparent: what is drawn still shows on the background
  var NO_TILE = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==";

  window.caseworkBasemap = function (element, options) {
    var map = L.map(element, options || { worldCopyJump: true }).setView([20, 0], 2);
    L.tileLayer(element.dataset.tiles, {
      maxZoom: 18,
      attribution: element.dataset.attribution || "",
      errorTileUrl: NO_TILE,
    }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);

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
        .catch(function () { /* what is drawn still shows on the plain background */ });
    }
    return map;
  };
})();
