// Plan page: the plan's layers on the map (small ones as GeoJSON, large ones as vector tiles),
// a keyboard-operable layer list that doubles as the legend, and feature attributes in a popup
// and in the accessible panel #feature-info.
import { decodeTile, featureAt } from "./mvt.js";

const config = JSON.parse(document.getElementById("plan-layers-config").textContent);
const panel = document.getElementById("feature-info");
const texts = document.querySelector(".plan-layers").dataset; // translated in the template
// Textliche Festsetzungen read from XPlanGML by "#<gml:id>": a feature's refTextInhalt links to them.
const textSections = JSON.parse(document.getElementById("plan-text-sections")?.textContent || "{}");
const TILE_SIZE = 256;

// An area smaller than 3 x 3 px is drawn as its bounding rectangle: fillRect needs no path
// rasterisation, which makes town-view tiles with thousands of buildings several times cheaper.
function drawAsDot(ctx, ring, scale) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < ring.length; i += 2) {
    const x = ring[i], y = ring[i + 1];
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const width = (maxX - minX) * scale, height = (maxY - minY) * scale;
  if (width >= 3 || height >= 3) return false;
  ctx.fillRect(minX * scale, minY * scale, Math.max(width, 1), Math.max(height, 1));
  return true;
}

function withOpacity(hex, opacity) {
  const digits = hex.length === 4 ? [...hex.slice(1)].map((d) => d + d) : [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const [r, g, b] = digits.map((d) => parseInt(d, 16));
  return `rgba(${r}, ${g}, ${b}, ${opacity})`;
}

// Attribute labels and XPlanung code lists come from the server (geodata/labels.py): "Art der baulichen
// Nutzung: Allgemeines Wohngebiet" instead of "nutzung WA"; ids and references are left out.
const numberFormat = new Intl.NumberFormat(document.documentElement.lang || "de");
const NUMBERED = /^([A-Za-z]{1,3})\s*[-_]?\s*(\d{1,3})$/;

function isHidden(labels, key, value) {
  return labels.hidden.includes(key.toLowerCase()) || (typeof value === "string" && value.startsWith("#GML"));
}

function valueText(labels, key, value) {
  if (typeof value === "boolean") return value ? labels.yes : labels.no;
  if (typeof value === "number") return numberFormat.format(value);
  if (Array.isArray(value)) return value.filter((item) => item !== null && item !== "").map((item) => valueText(labels, key, item)).join(", ");
  if (typeof value === "object") {
    return Object.entries(value).filter(([k, v]) => !isHidden(labels, k, v) && v !== null && v !== "").map(([k, v]) => valueText(labels, k, v)).join(", ");
  }
  const text = String(value).trim();
  const codes = labels.codes[key];
  if (codes) {
    if (Object.hasOwn(codes, text)) return codes[text];
    const numbered = NUMBERED.exec(text);
    if (numbered && Object.hasOwn(labels.abbreviations, numbered[1].toUpperCase())) {
      return `${labels.abbreviations[numbered[1].toUpperCase()]} (${text})`;
    }
  }
  return text;
}

export function attributeRows(labels, properties) {
  const rank = (key) => {
    const index = labels.order.indexOf(key.toLowerCase());
    return index === -1 ? labels.order.length : index;
  };
  const entries = Object.entries(properties || {})
    .filter(([key, value]) => !isHidden(labels, key, value) && value !== null && value !== undefined && value !== "")
    .sort((a, b) => rank(a[0]) - rank(b[0]));
  const rows = [];
  const seen = new Set();
  for (const [key, value] of entries) {
    const row = [labels.attributes[key] || key, valueText(labels, key, value)];
    const id = row.join("\u0000");
    if (row[1] && !seen.has(id)) {
      seen.add(id);
      rows.push(row);
    }
  }
  return rows;
}

function attributeList(labels, properties) {
  const list = document.createElement("dl");
  list.className = "feature-info__attributes";
  const rows = attributeRows(labels, properties);
  for (const [label, value] of rows) {
    const term = document.createElement("dt");
    term.textContent = label;
    const detail = document.createElement("dd");
    detail.textContent = value;
    list.append(term, detail);
  }
  if (!rows.length) {
    const detail = document.createElement("dd");
    detail.textContent = texts.noAttributes || "–";
    list.append(detail);
  }
  return list;
}

function references(value) {
  if (Array.isArray(value)) return value.flatMap(references);
  if (typeof value !== "string") return [];
  if (value.startsWith("[")) {
    try {
      return references(JSON.parse(value));
    } catch {
      return [];
    }
  }
  return [value];
}

// "Textliche Festsetzung 1.2: <title>" links (reading view) and a link to comment on the section.
function sectionList(properties) {
  const sections = references(properties?.refTextInhalt).map((ref) => textSections[ref]).filter(Boolean);
  if (!sections.length) return null;
  const box = document.createElement("div");
  box.className = "feature-info__sections";
  const heading = document.createElement("p");
  heading.className = "feature-info__sections-title";
  heading.textContent = texts.textSections;
  const list = document.createElement("ul");
  for (const section of sections) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = section.url;
    link.textContent = section.label;
    const comment = document.createElement("a");
    comment.href = section.comment;
    comment.className = "feature-info__comment";
    comment.textContent = texts.commentSection;
    item.append(link, " – ", comment);
    list.append(item);
  }
  box.append(heading, list);
  return box;
}

function showFeature(map, layerConfig, feature, latlng) {
  const heading = document.createElement("h4");
  heading.className = "feature-info__title";
  heading.textContent = layerConfig.name;
  panel.replaceChildren(heading, attributeList(layerConfig.labels, feature.properties));
  const sections = sectionList(feature.properties);
  if (sections) panel.append(sections);
  panel.dataset.featureId = feature.id ?? "";
  const popup = document.createElement("div");
  popup.className = "feature-popup";
  const title = document.createElement("strong");
  title.textContent = layerConfig.name;
  popup.append(title, attributeList(layerConfig.labels, feature.properties));
  if (sections) popup.append(sectionList(feature.properties));
  L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent(popup).openOn(map);
}

function setStatus(layerConfig, text, state) {
  const item = document.querySelector(`.layer-list__item[data-layer-id="${layerConfig.id}"]`);
  if (state) item.dataset.state = state;
  const status = item.querySelector(".layer-list__status");
  if (status) status.textContent = text;
}

// --- label layers (XPlanung presentation objects): text at its position, turned by drehwinkel --
// Hidden from screen readers: the same texts are listed under the layer in the layer list.
export function labelTransform(angle) {
  const degrees = Number.parseFloat(angle);
  // XPlanung counts degrees anticlockwise from east; CSS rotates clockwise.
  return Number.isFinite(degrees) && degrees !== 0 ? `translate(-50%, -50%) rotate(${-degrees}deg)` : "translate(-50%, -50%)";
}

function labelMarker(feature, latlng) {
  const text = String(feature.properties?.beschriftung ?? "").trim();
  if (!text) return null;
  const span = document.createElement("span");
  span.className = "plan-label__text";
  span.textContent = text;
  span.style.transform = labelTransform(feature.properties.drehwinkel);
  const marker = L.marker(latlng, {
    icon: L.divIcon({ className: "plan-label", html: span, iconSize: null }),
    keyboard: false,
    interactive: false,
  });
  marker.on("add", () => marker.getElement()?.setAttribute("aria-hidden", "true"));
  return marker;
}

// --- small layers: one GeoJSON file, Canvas renderer -----------------------------------------
function geojsonLayer(map, layerConfig, renderer) {
  const style = layerConfig.style;
  const layer = L.geoJSON(null, {
    renderer,
    style: () => style,
    filter: (feature) => !layerConfig.labelLayer || Boolean(String(feature.properties?.beschriftung ?? "").trim()),
    pointToLayer: (feature, latlng) =>
      layerConfig.labelLayer ? labelMarker(feature, latlng) : L.circleMarker(latlng, { ...style, radius: 6, renderer }),
    onEachFeature: (feature, leafletLayer) => {
      leafletLayer.on("click", (event) => {
        L.DomEvent.stopPropagation(event);
        showFeature(map, layerConfig, feature, event.latlng);
      });
    },
  });
  let loaded = null;
  layer.load = () => {
    loaded ||= fetch(layerConfig.url, { headers: { Accept: "application/geo+json" } })
      .then((response) => {
        if (!response.ok) throw new Error(response.statusText);
        return response.json();
      })
      .then((data) => {
        layer.addData(data);
        setStatus(layerConfig, "", "loaded");
      })
      .catch(() => setStatus(layerConfig, texts.loadError, "error"));
    return loaded;
  };
  return layer;
}

// --- large layers: vector tiles drawn on canvas tiles ----------------------------------------
const VectorTileLayer = L.GridLayer.extend({
  initialize(layerConfig, options) {
    L.GridLayer.prototype.initialize.call(this, options);
    this.layerConfig = layerConfig;
    this.tileData = new Map();
    this.painted = 0;
    // Keep decoded tiles (for clicks) only while they are on the map.
    this.on("tileunload", ({ coords }) => this.tileData.delete(`${coords.z}/${coords.x}/${coords.y}`));
  },

  createTile(coords, done) {
    const canvas = L.DomUtil.create("canvas", "vector-tile");
    const ratio = window.devicePixelRatio || 1;
    const size = this.getTileSize();
    canvas.width = size.x * ratio;
    canvas.height = size.y * ratio;
    const key = `${coords.z}/${coords.x}/${coords.y}`;
    const url = this.layerConfig.url.replace("{z}", coords.z).replace("{x}", coords.x).replace("{y}", coords.y);
    fetch(url)
      .then((response) => (response.status === 200 ? response.arrayBuffer() : null))
      .then((buffer) => {
        if (buffer) {
          performance.mark(`pb-tile-received-${key}`);
          const tile = decodeTile(buffer);
          this.tileData.set(key, tile);
          this.draw(canvas, tile, coords.z);
          performance.mark(`pb-tile-drawn-${key}`);
        }
        this.painted += 1;
        this.fire("tilepainted", { key });
        done(null, canvas);
      })
      .catch((error) => done(error, canvas));
    return canvas;
  },

  draw(canvas, tile, z) {
    // One short path per feature: Chromium slows down badly on single paths with thousands
    // of sub-paths (measured: 14 ms per feature-wise tile vs 300+ ms as one Path2D).
    const ctx = canvas.getContext("2d");
    const style = this.layerConfig.style;
    const ratio = window.devicePixelRatio || 1;
    ctx.lineWidth = style.weight * ratio;
    ctx.lineJoin = "round";
    ctx.strokeStyle = style.color;
    ctx.fillStyle = withOpacity(style.fillColor, style.fillOpacity);
    // Town view (z < 14): buildings are 1-2 px, so areas are filled in the outline colour
    // without a separate outline: half the drawing work and easier to see.
    const solid = z < 14;
    if (solid) ctx.fillStyle = style.color;
    const radius = 4 * ratio;
    for (const layer of tile.layers) {
      const scale = canvas.width / layer.extent;
      for (const feature of layer.features) {
        if (solid && feature.type === 3 && drawAsDot(ctx, feature.rings[0], scale)) continue;
        ctx.beginPath();
        for (const ring of feature.rings) {
          const x0 = ring[0] * scale, y0 = ring[1] * scale;
          if (feature.type === 1) {
            ctx.moveTo(x0 + radius, y0);
            ctx.arc(x0, y0, radius, 0, 2 * Math.PI);
            continue;
          }
          ctx.moveTo(x0, y0);
          for (let i = 2; i < ring.length; i += 2) ctx.lineTo(ring[i] * scale, ring[i + 1] * scale);
          if (feature.type === 3) ctx.closePath();
        }
        if (feature.type !== 2) ctx.fill("evenodd");
        if (style.weight > 0 && !(solid && feature.type === 3)) ctx.stroke();
      }
    }
  },

  featureAt(latlng) {
    const map = this._map;
    const zoom = map.getZoom();
    const z = Math.max(this.options.minNativeZoom, Math.min(this.options.maxNativeZoom, Math.round(zoom)));
    const point = map.project(latlng, z);
    const x = Math.floor(point.x / TILE_SIZE), y = Math.floor(point.y / TILE_SIZE);
    const tile = this.tileData.get(`${z}/${x}/${y}`);
    if (!tile) return null;
    for (const layer of tile.layers) {
      const unit = layer.extent / TILE_SIZE;
      const tolerance = (6 * unit) / 2 ** (zoom - z);
      const found = featureAt(layer, (point.x - x * TILE_SIZE) * unit, (point.y - y * TILE_SIZE) * unit, tolerance);
      if (found) return found;
    }
    return null;
  },
});

function tileLayer(layerConfig, pane) {
  const options = {
    pane,
    minNativeZoom: layerConfig.minNativeZoom,
    maxNativeZoom: layerConfig.maxNativeZoom,
    minZoom: layerConfig.minNativeZoom - 2,
    maxZoom: 22,
    keepBuffer: 4,
  };
  if (layerConfig.bounds) {
    const [w, s, e, n] = layerConfig.bounds;
    options.bounds = L.latLngBounds([s, w], [n, e]).pad(0.02);
  }
  const layer = new VectorTileLayer(layerConfig, options);
  layer.on("tilepainted", () => {
    const item = document.querySelector(`.layer-list__item[data-layer-id="${layerConfig.id}"]`);
    item.dataset.paintedTiles = String(layer.painted);
  });
  layer.on("load", () => {
    const item = document.querySelector(`.layer-list__item[data-layer-id="${layerConfig.id}"]`);
    // Time from navigation start to the first complete view (read by tests and bench/bench_layers.py).
    if (!item.dataset.firstPaintMs) item.dataset.firstPaintMs = String(Math.round(performance.now()));
    item.dataset.lastLoad = String(Math.round(performance.now()));
    setStatus(layerConfig, "", "loaded");
  });
  layer.load = () => Promise.resolve();
  return layer;
}

// --- raster plan drawings: one georeferenced PNG (EPSG:3857) as an image overlay ------------
function rasterLayer(layerConfig, pane) {
  const [w, s, e, n] = layerConfig.bounds;
  const layer = L.imageOverlay(layerConfig.url, L.latLngBounds([s, w], [n, e]), {
    pane,
    opacity: layerConfig.opacity,
    alt: layerConfig.alt,
  });
  layer.on("load", () => setStatus(layerConfig, "", "loaded"));
  layer.on("error", () => setStatus(layerConfig, texts.loadError, "error"));
  layer.load = () => Promise.resolve();
  return layer;
}

// A shared view in the address: #karte=<zoom>/<lat>/<lon>
function viewFromHash() {
  const match = /karte=(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)/.exec(window.location.hash);
  return match ? { zoom: Number(match[1]), center: [Number(match[2]), Number(match[3])] } : null;
}

function start({ map }) {
  const view = viewFromHash();
  if (view) map.setView(view.center, view.zoom, { animate: false });
  const renderer = L.canvas({ padding: 0.5 });
  map.createPane("planRaster"); // drawings below the vector layers
  map.createPane("planLayers");
  const layers = new Map();
  config.forEach((layerConfig) => {
    let layer;
    if (layerConfig.mode === "raster") layer = rasterLayer(layerConfig, "planRaster");
    else if (layerConfig.mode === "tiles") layer = tileLayer(layerConfig, "planLayers");
    else layer = geojsonLayer(map, layerConfig, renderer);
    layers.set(String(layerConfig.id), { layer, layerConfig });
  });

  const show = (id, visible) => {
    const { layer, layerConfig } = layers.get(id);
    if (visible) {
      layer.load();
      layer.addTo(map);
      if (layerConfig.mode === "tiles" && map.getZoom() < layer.options.minZoom) {
        setStatus(layerConfig, texts.zoomIn, "zoom");
      }
    } else {
      map.removeLayer(layer);
    }
  };

  document.querySelectorAll(".layer-list__toggle").forEach((checkbox) => {
    checkbox.addEventListener("change", () => show(checkbox.dataset.layerId, checkbox.checked));
    if (checkbox.checked) show(checkbox.dataset.layerId, true);
  });

  document.querySelectorAll(".layer-list__opacity-input").forEach((input) => {
    input.addEventListener("input", () => layers.get(input.dataset.layerId).layer.setOpacity(Number(input.value) / 100));
  });

  map.on("zoomend", () => {
    for (const { layer, layerConfig } of layers.values()) {
      if (layerConfig.mode === "tiles" && map.hasLayer(layer)) {
        setStatus(layerConfig, map.getZoom() < layer.options.minZoom ? texts.zoomIn : "");
      }
    }
  });

  map.on("click", (event) => {
    for (const { layer, layerConfig } of [...layers.values()].reverse()) {
      if (layerConfig.mode !== "tiles" || !map.hasLayer(layer)) continue;
      const feature = layer.featureAt(event.latlng);
      if (feature) {
        showFeature(map, layerConfig, feature, event.latlng);
        return;
      }
    }
  });
  map.getContainer().dataset.layersReady = "1";
  window.planLayers = layers;
}

if (window.planMap) start(window.planMap);
else document.addEventListener("pb:plan-map-ready", (event) => start(event.detail), { once: true });
