// Start page: all published plans as polygons; a click opens the plan.
import { createMap, planStyle, readJSON } from "./basemap.js";

const config = readJSON("map-config");
const map = createMap("plans-map");
// Start from the municipality's extent or the configured centre; the plans' extent follows once loaded.
if (config.bounds) map.fitBounds(config.bounds);
else map.setView(config.center, config.zoom);

const query = new URLSearchParams(config.params).toString();
fetch(config.api + (query ? "?" + query : ""), { headers: { Accept: "application/geo+json" } })
  .then((response) => response.json())
  .then((collection) => {
    const layer = L.geoJSON(collection, {
      style: () => planStyle,
      onEachFeature: (feature, featureLayer) => {
        const p = feature.properties;
        featureLayer.bindTooltip(`${p.number ? p.number + ": " : ""}${p.title}`.replace(/[<>&]/g, ""), { sticky: true });
        featureLayer.on("click", () => { window.location.href = p.url; });
      },
    }).addTo(map);
    if (collection.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [20, 20] });
    }
    map.getContainer().dataset.loadedFeatures = String(collection.features.length);
    window.__plansMap = map;
    document.dispatchEvent(new CustomEvent("pb:plans-loaded", { detail: { map, layer } }));
  });
