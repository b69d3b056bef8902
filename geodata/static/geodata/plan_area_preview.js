// Plan area preview: the new Geltungsbereich from the file over the current one.
import { createMap, planStyle, readJSON } from "../plans/basemap.js";

const data = readJSON("plan-area-data");
const map = createMap("plan-area-map");
if (data && data.current) {
  L.geoJSON(data.current, { style: { color: "#555555", weight: 2, dashArray: "6 4", fill: false } }).addTo(map);
}
if (data && data.new) {
  const area = L.geoJSON(data.new, { style: planStyle }).addTo(map);
  map.fitBounds(area.getBounds(), { padding: [20, 20], maxZoom: 17 });
}
map.getContainer().dataset.ready = "1";
