// Start page map: loads only what it shows (bbox + zoom) after every move. Below `outlineMinZoom` the API
// answers grid clusters (keyboard-operable buttons that zoom in) and single plans (links); from it on, the
// plans' outlines. The list beside the map holds the same plans, so the map is never the only way.
// Plans are coloured by kind; a running participation adds a thick dark ring (points) or a solid, heavier
// outline (areas, else dashed). The legend beside the map (portal/_map_legend.html) is copied onto the map.
import { createMap, readJSON } from "../plans/basemap.js";

const config = readJSON("map-config");
const container = document.getElementById("plans-map");
const status = document.getElementById("map-status");
const map = createMap("plans-map");
const layer = L.layerGroup().addTo(map);
const MAX_PAGES = 20;
let controller = null;
let lastQuery = "";
let announceNext = false;

const styles = config.styles;

const kindColour = (kind) => styles.kinds[kind] || styles.fallback;

function outlineStyle(p) {
  const colour = kindColour(p.kind);
  return p.open_for_comments
    ? { color: colour, weight: 4, fillColor: colour, fillOpacity: 0.3 }
    : { color: colour, weight: 2, dashArray: "6 4", fillColor: colour, fillOpacity: 0.12 };
}

function planName(p) {
  const parts = [p.kind_label, p.open_for_comments ? styles.openLabel : ""].filter(Boolean);
  return `${p.number ? p.number + ": " : ""}${p.title}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

// A copy of the legend on the map for sighted users; hidden from assistive technology, which reads the original.
function addLegend() {
  const source = document.querySelector("[data-map-legend] .map-legend__list");
  if (!source) return;
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const node = L.DomUtil.create("div", "map-legend map-legend--map");
      node.setAttribute("aria-hidden", "true");
      node.append(source.cloneNode(true));
      return node;
    },
  });
  new Legend().addTo(map);
}

const clamp = (value, min, max) => Math.min(max, Math.max(min, value));
const label = (template, count) => template.replace("%(count)s", String(count));

function viewQuery() {
  const bounds = map.getBounds();
  const west = clamp(bounds.getWest(), -180, 180);
  const east = clamp(bounds.getEast(), -180, 180);
  const south = clamp(bounds.getSouth(), -85, 85);
  const north = clamp(bounds.getNorth(), -85, 85);
  if (!(west < east && south < north)) return null;
  // Rounded outwards to ~10 m so that small moves ask the same (cached) URL.
  const down = (value) => (Math.floor(value * 1e4) / 1e4).toFixed(4);
  const up = (value) => (Math.ceil(value * 1e4) / 1e4).toFixed(4);
  const params = new URLSearchParams(config.params);
  params.set("bbox", [down(west), down(south), up(east), up(north)].join(","));
  params.set("zoom", String(Math.round(map.getZoom())));
  params.set("page_size", "500");
  return params.toString();
}

function clusterMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const count = feature.properties.count;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "plan-cluster";
  button.style.backgroundColor = styles.cluster;
  button.setAttribute("aria-label", label(container.dataset.clusterLabel, count));
  const text = document.createElement("span");
  text.setAttribute("aria-hidden", "true");
  text.textContent = String(count);
  button.append(text);
  const size = count < 10 ? 34 : count < 100 ? 42 : 50;
  const marker = L.marker([lat, lon], {
    icon: L.divIcon({ html: button, className: "plan-cluster-icon", iconSize: [size, size] }),
    keyboard: false,
  });
  L.DomEvent.on(button, "click", (event) => {
    L.DomEvent.stop(event);
    const [west, south, east, north] = feature.properties.bbox;
    announceNext = true;
    map.fitBounds([[south, west], [north, east]], {
      padding: [40, 40],
      maxZoom: Math.max(map.getZoom() + 2, config.outlineMinZoom),
    });
    container.focus();
  });
  return marker;
}

function planMarker(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  const p = feature.properties;
  const link = document.createElement("a");
  link.className = p.open_for_comments ? "plan-point plan-point--open" : "plan-point";
  link.style.backgroundColor = kindColour(p.kind);
  link.dataset.kind = p.kind;
  link.href = p.url;
  const text = document.createElement("span");
  text.className = "visually-hidden";
  text.textContent = planName(p);
  link.append(text);
  const size = p.open_for_comments ? 24 : 18;
  return L.marker([lat, lon], {
    icon: L.divIcon({ html: link, className: "plan-point-icon", iconSize: [size, size] }),
    keyboard: false,
  });
}

function outline(collection) {
  return L.geoJSON(collection, {
    style: (feature) => outlineStyle(feature.properties),
    onEachFeature: (feature, featureLayer) => {
      const p = feature.properties;
      featureLayer.bindTooltip(planName(p).replace(/[<>&]/g, ""), { sticky: true });
      featureLayer.on("click", () => { window.location.href = p.url; });
    },
  });
}

async function fetchCollections(query, signal) {
  const collections = [];
  let url = `${config.api}?${query}`;
  for (let page = 0; url && page < MAX_PAGES; page += 1) {
    const response = await fetch(url, { headers: { Accept: "application/geo+json" }, signal });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const collection = await response.json();
    collections.push(collection);
    const next = (collection.links || []).find((link) => link.rel === "next");
    url = next ? next.href : null;
  }
  return collections;
}

async function load() {
  const query = viewQuery();
  if (query === null || query === lastQuery) return;
  lastQuery = query;
  if (controller) controller.abort();
  controller = new AbortController();
  let collections;
  try {
    collections = await fetchCollections(query, controller.signal);
  } catch (error) {
    if (error.name === "AbortError") return;
    lastQuery = "";
    status.textContent = container.dataset.error;
    return;
  }
  layer.clearLayers();
  let plans = 0;
  for (const collection of collections) {
    if (collection.clustered) {
      for (const feature of collection.features) {
        layer.addLayer(feature.properties.cluster ? clusterMarker(feature) : planMarker(feature));
      }
    } else {
      layer.addLayer(outline(collection));
    }
    plans += collection.clustered ? collection.numberMatched : collection.features.length;
  }
  container.dataset.loadedFeatures = String(plans);
  container.dataset.clustered = String(collections.some((collection) => collection.clustered));
  if (announceNext) {
    announceNext = false;
    status.textContent = plans === 1 ? container.dataset.statusOne : label(container.dataset.statusOther, plans);
  }
  document.dispatchEvent(new CustomEvent("pb:plans-loaded", { detail: { map, layer } }));
}

window.__plansMap = map;
addLegend();
map.on("moveend", load);
// The data's extent from the server (the municipality's, or that of the listed plans), else the default centre.
if (config.bounds) map.fitBounds(config.bounds, { padding: [20, 20], maxZoom: 16 });
else map.setView(config.center, config.zoom);
load();
