// Plan page: the Geltungsbereich; other modules add layers and comments via the
// "pb:plan-map-ready" event (detail: { map, area, config }).
import { createMap, planStyle, readJSON } from "./basemap.js";

const config = readJSON("plan-map-config");
const map = createMap("plan-map");
const area = L.geoJSON(JSON.parse(config.area), { style: () => ({ ...planStyle, fillOpacity: 0.05 }), interactive: false }).addTo(map);
map.fitBounds(area.getBounds(), { padding: [20, 20] });
map.getContainer().dataset.ready = "1";
window.planMap = { map, area, config };
document.dispatchEvent(new CustomEvent("pb:plan-map-ready", { detail: window.planMap }));
