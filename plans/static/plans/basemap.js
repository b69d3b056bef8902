// Shared map set-up: base map from settings, scale bar, Canvas renderer, accessible container.
// When the base map cannot be reached, the tile layer (and with it its attribution) is removed,
// the plan areas stay on a plain background and a notice is shown and announced.
export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

// Failed tiles before the base map counts as unreachable while none has loaded.
const FAILED_TILES = 3;
// Without a single loaded tile after this time the base map counts as unreachable.
const FAILURE_TIMEOUT_MS = 10000;

function noticeControl(map) {
  const Notice = L.Control.extend({
    options: { position: "topright" },
    onAdd() {
      const node = L.DomUtil.create("div", "map-notice");
      const text = L.DomUtil.create("p", "map-notice__text", node);
      text.setAttribute("role", "status");
      text.dataset.basemapNotice = "";
      L.DomEvent.disableClickPropagation(node);
      return node;
    },
  });
  const control = new Notice();
  control.addTo(map);
  return control.getContainer();
}

// The notice can be closed so that it does not cover plans for good; the plain background stays.
function showNotice(map, notice, text, closeLabel) {
  notice.querySelector("[data-basemap-notice]").textContent = text;
  notice.classList.add("map-notice--shown");
  const close = L.DomUtil.create("button", "map-notice__close", notice);
  close.type = "button";
  close.setAttribute("aria-label", closeLabel);
  close.textContent = "×";
  L.DomEvent.on(close, "click", () => {
    notice.hidden = true;
    map.getContainer().focus();
  });
}

export function watchBaseMap(map, tiles, config) {
  const notice = noticeControl(map);
  let loaded = 0;
  let failed = 0;
  let done = false;
  const fail = () => {
    if (done) return;
    done = true;
    map.removeLayer(tiles); // also removes the tile layer's attribution
    map.getContainer().classList.add("map--no-basemap");
    map.getContainer().dataset.basemap = "failed";
    showNotice(map, notice, config.failureNotice, config.noticeClose);
  };
  const timer = window.setTimeout(() => { if (!loaded) fail(); }, FAILURE_TIMEOUT_MS);
  tiles.on("tileload", () => {
    loaded += 1;
    if (!done) {
      done = true;
      window.clearTimeout(timer);
      map.getContainer().dataset.basemap = "loaded";
    }
  });
  tiles.on("tileerror", () => {
    failed += 1;
    if (!loaded && failed >= FAILED_TILES) fail();
  });
  // All tiles of the view have answered, none of them with an image.
  tiles.on("load", () => { if (!loaded && failed) fail(); });
}

export function createMap(elementId, options = {}) {
  const config = readJSON("basemap-config");
  const map = L.map(elementId, { preferCanvas: true, ...options });
  const tiles = L.tileLayer(config.url, { attribution: config.attribution, maxZoom: config.maxZoom });
  watchBaseMap(map, tiles, config);
  tiles.addTo(map);
  L.control.scale({ metric: true, imperial: false }).addTo(map);
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
