// Workbench map: plan area, one circle marker per statement (Canvas) and a heat map (leaflet.heat).
import { createMap, planStyle, readJSON } from "../plans/basemap.js";

const data = readJSON("workbench-map-data");
const map = createMap("workbench-map");
// Translated labels come from the template (data-label-* on the map element).
const labels = map.getContainer().dataset;
const area = L.geoJSON(JSON.parse(data.area), { style: () => ({ ...planStyle, fillOpacity: 0.05 }), interactive: false }).addTo(map);
map.fitBounds(area.getBounds(), { padding: [20, 20] });

const colours = { considered: "#1e7b34", partly: "#b7791f", not_considered: "#a61b1b", noted: "#2b5797", "": "#555555" };
const renderer = L.canvas();
const markers = L.layerGroup(
  data.points.map(([lat, lon, number, decision]) =>
    L.circleMarker([lat, lon], { renderer, radius: 5, weight: 1, color: "#ffffff", fillColor: colours[decision] || "#555555", fillOpacity: 0.9 })
      .bindTooltip(`${labels.labelNumber} ${number}: ${data.decisions[decision] || labels.labelOpen}`),
  ),
);
const layers = { [labels.labelMarkers]: markers };
if (typeof L.heatLayer === "function") {
  const heat = L.heatLayer(data.points.map(([lat, lon]) => [lat, lon, 0.6]), { radius: 25, blur: 18, maxZoom: 17 });
  layers[labels.labelHeatmap] = heat;
  heat.addTo(map);
}
markers.addTo(map);
L.control.layers(null, layers, { collapsed: false }).addTo(map);
map.getContainer().dataset.ready = "1";
map.getContainer().dataset.points = String(data.points.length);
