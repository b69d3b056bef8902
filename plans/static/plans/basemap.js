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
  showChosenAddresses(map);
  return map;
}

// The address search (geodata/address_search.js) names a map; show the chosen address there.
function showChosenAddresses(map) {
  let marker = null;
  map.getContainer().addEventListener("pb:address-selected", ({ detail }) => {
    if (marker) marker.remove();
    marker = L.circleMarker([detail.lat, detail.lon], addressStyle).addTo(map);
    marker.bindTooltip(detail.label);
    map.setView([detail.lat, detail.lon], Math.max(map.getZoom(), 17));
    map.getContainer().dataset.addressMarker = `${detail.lat},${detail.lon}`;
  });
}

const addressStyle = { radius: 9, color: "#0b2a52", weight: 3, fillColor: "#f5b700", fillOpacity: 1 };

export const planStyle = { color: "#8a1c1c", weight: 3, fillColor: "#c0392b", fillOpacity: 0.15 };
