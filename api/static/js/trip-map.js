// The manifest page's map: the planned route, its corridor, the sites, the GPS track and its
// episodes, and the truck's last known position (or, on the regulator's live map, every
// vehicle's), drawn with Leaflet from the GeoJSON the page's own endpoint serves. Works with no
// tile layer at all (the default): the layers are drawn on a plain background and the view
// fits them. Every drawn path carries the class "layer-<kind>" so its meaning is inspectable.
(function () {
  "use strict";

  var EPISODES = {
    unscheduled_stop: "#b45309",
    route_deviation: "#b91c1c",
    gps_gap: "#6d28d9",
    implausible_speed: "#be185d",
    start_outside_origin: "#b91c1c",
    end_outside_destination: "#b91c1c"
  };

  function styleOf(kind) {
    if (kind === "route") return { color: "#1d4ed8", weight: 4, dashArray: "8 6" };
    if (kind === "corridor") return { color: "#1d4ed8", weight: 1, fillColor: "#93c5fd", fillOpacity: 0.25 };
    if (kind === "track") return { color: "#047857", weight: 3 };
    if (kind === "position") return { color: "#0f172a", weight: 3 };
    return { color: EPISODES[kind] || "#b91c1c", weight: 6, opacity: 0.85 };
  }

  function layerClass(kind) {
    var base = "layer-" + kind;
    return EPISODES[kind] ? base + " layer-episode" : base;
  }

  function legend(container, labels, kinds) {
    var list = document.createElement("ul");
    list.className = "map-legend";
    kinds.forEach(function (kind) {
      var item = document.createElement("li");
      item.className = "legend-" + kind + (EPISODES[kind] ? " legend-episode" : "");
      item.textContent = labels[kind] || kind;
      list.appendChild(item);
    });
    container.parentNode.insertBefore(list, container.nextSibling);
  }

  function draw(container, config, collection) {
    // maxZoom: a lone point (a position with no route or track yet) fits at street level.
    var map = L.map(container, { preferCanvas: false, attributionControl: false, maxZoom: 17 });
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19 }).addTo(map);
    }
    var kinds = [];
    var everything = L.featureGroup().addTo(map);
    collection.features.forEach(function (feature) {
      if (!feature.geometry) return;
      var kind = feature.properties && feature.properties.kind;
      if (kinds.indexOf(kind) < 0) kinds.push(kind);
      var style = styleOf(kind);
      style.className = layerClass(kind);
      var layer = L.geoJSON(feature, {
        style: function () { return style; },
        pointToLayer: function (_f, latlng) {
          if (kind === "position") {
            // The truck's last known position: a ring over a dot, drawn above everything.
            return L.circleMarker(latlng, {
              radius: 10,
              color: style.color,
              weight: 3,
              fillColor: "#facc15",
              fillOpacity: 1,
              className: style.className
            });
          }
          var marker = L.circleMarker(latlng, {
            radius: kind === "origin" || kind === "destination" ? 9 : 7,
            color: style.color,
            weight: 2,
            fillColor: style.color,
            fillOpacity: 0.6,
            className: style.className
          });
          return marker;
        }
      });
      var label = (config.labels && config.labels[kind]) || kind;
      var props = feature.properties || {};
      // On the regulator's live map a position names its vehicle and manifest, and a click
      // opens the manifest's page.
      if (props.manifest_number) label = props.vehicle_plate + " · " + props.manifest_number;
      layer.bindTooltip(label);
      if (props.href) layer.on("click", function () { window.location.assign(props.href); });
      everything.addLayer(layer);
    });
    if (!kinds.length) {
      container.classList.add("map-empty");
      container.textContent = (config.labels && config.labels.empty) || "";
      return;
    }
    map.fitBounds(everything.getBounds(), { padding: [16, 16] });
    legend(container, config.labels || {}, kinds);
    container.setAttribute("data-drawn", kinds.join(" "));
  }

  function start() {
    var container = document.getElementById("trip-map");
    if (!container || typeof L === "undefined") return;
    var config = JSON.parse(container.getAttribute("data-map"));
    fetch(config.layers, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error("map layers: HTTP " + answer.status);
        return answer.json();
      })
      .then(function (collection) { draw(container, config, collection); })
      .catch(function (error) {
        container.classList.add("map-failed");
        container.textContent = error.message;
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
