// Shared map set-up: base map from settings, Canvas renderer, accessible container.
export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

export function createMap(elementId, options = {}) {
  const config = readJSON("basemap-config");
  const map = L.map(elementId, { preferCanvas: true, ...options });
  L.tileLayer(config.url, { attribution: config.attribution, maxZoom: config.maxZoom }).addTo(map);
  map.getContainer().setAttribute("tabindex", "0");
  return map;
}

export const planStyle = { color: "#8a1c1c", weight: 3, fillColor: "#c0392b", fillOpacity: 0.15 };
