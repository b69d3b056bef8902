// Import preview: show the file's bounding box on a small map, and the places of the Prüfbericht's problems.
import { createMap, readJSON } from "../plans/basemap.js";
import { showProblems } from "./validation_map.js";

const data = readJSON("import-preview-data");
const map = createMap("import-preview-map");
if (data && data.bounds) {
  const [west, south, east, north] = data.bounds;
  const box = L.rectangle([[south, west], [north, east]], { color: "#c0392b", weight: 2, fillOpacity: 0.1 }).addTo(map);
  map.fitBounds(box.getBounds(), { padding: [20, 20], maxZoom: 17 });
  map.getContainer().dataset.bounds = data.bounds.join(",");
} else {
  map.setView([50.29, 8.53], 10);
}
showProblems(map);
map.getContainer().dataset.ready = "1";
