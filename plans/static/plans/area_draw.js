// Plan form: draw the Geltungsbereich with Leaflet.draw into the hidden GeoJSON field and mirror it into
// the text field, which keyboard users fill directly (GeoJSON or WKT); GeoJSON typed there is shown on the map.
import { createMap, planStyle, readJSON } from "./basemap.js";

const config = readJSON("area-map-config");
const labels = config.labels || {};
const hidden = document.querySelector(".area-drawn");
const text = document.querySelector(".area-text");
const status = document.getElementById("area-status");
const municipalitySelect = document.getElementById("id_municipality");

const map = createMap("area-map");
const boundaryLayer = L.geoJSON(null, { style: () => ({ color: "#333", weight: 2, dashArray: "6 4", fill: false }), interactive: false }).addTo(map);
const drawn = new L.FeatureGroup().addTo(map);

if (L.drawLocal && labels.polygon) {
  L.drawLocal.draw.toolbar.buttons.polygon = labels.polygon;
  L.drawLocal.draw.toolbar.buttons.rectangle = labels.rectangle;
  L.drawLocal.draw.toolbar.actions.text = labels.cancel;
  L.drawLocal.draw.toolbar.actions.title = labels.cancel;
  L.drawLocal.draw.toolbar.finish.text = labels.finish;
  L.drawLocal.draw.toolbar.finish.title = labels.finish;
  L.drawLocal.draw.toolbar.undo.text = labels.undo;
  L.drawLocal.draw.toolbar.undo.title = labels.undo;
  L.drawLocal.draw.handlers.polygon.tooltip.start = labels.start;
  L.drawLocal.draw.handlers.polygon.tooltip.cont = labels.cont;
  L.drawLocal.draw.handlers.polygon.tooltip.end = labels.end;
  L.drawLocal.draw.handlers.rectangle.tooltip.start = labels.rectangleStart;
  L.drawLocal.edit.toolbar.buttons.edit = labels.edit;
  L.drawLocal.edit.toolbar.buttons.remove = labels.remove;
  L.drawLocal.edit.toolbar.actions.save.text = labels.save;
  L.drawLocal.edit.toolbar.actions.cancel.text = labels.cancel;
}

map.addControl(new L.Control.Draw({
  draw: {
    polygon: { allowIntersection: false, showArea: false, shapeOptions: planStyle },
    rectangle: { shapeOptions: planStyle },
    polyline: false, circle: false, marker: false, circlemarker: false,
  },
  edit: { featureGroup: drawn },
}));

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Feature") return polygonsOf(geometry.geometry);
  if (geometry.type === "FeatureCollection") return geometry.features.flatMap(polygonsOf);
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

function show(geometry) {
  drawn.clearLayers();
  for (const rings of polygonsOf(geometry)) {
    drawn.addLayer(L.polygon(L.GeoJSON.coordsToLatLngs(rings, 1), planStyle));
  }
}

function announce(count) {
  status.textContent = count ? (labels.drawn || "").replace("%s", count) : labels.empty || "";
}

function sync() {
  const polygons = [];
  drawn.eachLayer((layer) => polygons.push(...polygonsOf(layer.toGeoJSON().geometry)));
  const value = polygons.length ? JSON.stringify({ type: "MultiPolygon", coordinates: polygons }) : "";
  hidden.value = value;
  text.value = value;
  announce(polygons.length);
}

function showBoundary() {
  boundaryLayer.clearLayers();
  const key = municipalitySelect ? municipalitySelect.value : Object.keys(config.boundaries)[0];
  const boundary = config.boundaries[key];
  if (boundary) boundaryLayer.addData(JSON.parse(boundary));
}

function fit() {
  const bounds = drawn.getLayers().length ? drawn.getBounds() : boundaryLayer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
  else map.setView(config.center, config.zoom);
}

map.on(L.Draw.Event.CREATED, (event) => { drawn.addLayer(event.layer); sync(); });
map.on(L.Draw.Event.EDITED, sync);
map.on(L.Draw.Event.DELETED, sync);
text.addEventListener("change", () => {
  try {
    show(JSON.parse(text.value));
    hidden.value = "";
    if (drawn.getLayers().length) fit();
  } catch {
    // WKT or unfinished input: the server reads and checks it on saving.
  }
});
if (municipalitySelect) municipalitySelect.addEventListener("change", () => { showBoundary(); fit(); });

showBoundary();
const initial = text.value.trim() || hidden.value || config.area;
if (initial) {
  try { show(JSON.parse(initial)); } catch { /* WKT typed before a failed submit */ }
}
fit();
map.getContainer().dataset.ready = "1";
window.areaMap = { map, drawn };
