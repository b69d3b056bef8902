// Plan page: published statements as clustered markers; a click inside the plan area
// places the marker for a new statement (hidden lat/lon fields of the plain HTML form).
// Another module may dispatch "pb:feature-selected" (detail: {id, lat, lng}) when a plan
// feature is clicked: the statement then refers to that feature.

import { readJSON } from "../plans/basemap.js";

function popupContent(marker) {
  const box = document.createElement("div");
  box.className = "statement-marker-popup";
  const meta = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = marker.author;
  meta.append(strong, ` · ${marker.date} · ${marker.topic}`);
  const text = document.createElement("p");
  text.textContent = marker.text.length >= 200 ? marker.text + " …" : marker.text;
  const link = document.createElement("a");
  // A statement on another page of the paginated list: its page's address (with the filter).
  const onThisPage = document.getElementById(`stellungnahme-${marker.id}`);
  link.href = onThisPage || !marker.href ? `#stellungnahme-${marker.id}` : marker.href;
  link.textContent = document.getElementById("stellungnahmen")?.dataset.readStatement || "";
  box.append(meta, text, link);
  return box;
}

function showStatements(map) {
  const markers = readJSON("statement-markers") || [];
  const group = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
  for (const item of markers) {
    const marker = L.marker([item.lat, item.lon], { title: `${item.author}: ${item.topic}`, alt: item.topic });
    marker.bindPopup(() => popupContent(item));
    group.addLayer(marker);
  }
  group.addTo(map);
  map.getContainer().dataset.statementMarkers = String(markers.length);
  return group;
}

function pointInRing(lng, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = [ring[i].lng, ring[i].lat];
    const [xj, yj] = [ring[j].lng, ring[j].lat];
    if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function insideArea(area, latlng) {
  let inside = false;
  area.eachLayer((layer) => {
    if (!layer.getLatLngs) return;
    const polygons = L.LineUtil.isFlat(layer.getLatLngs()) ? [[layer.getLatLngs()]] : layer.getLatLngs();
    for (const polygon of polygons) {
      const rings = L.LineUtil.isFlat(polygon) ? [polygon] : polygon;
      if (rings.length && pointInRing(latlng.lng, latlng.lat, rings[0])) {
        inside = !rings.slice(1).some((hole) => pointInRing(latlng.lng, latlng.lat, hole));
        if (inside) return;
      }
    }
  });
  return inside;
}

function connectForm(map, area) {
  const form = document.getElementById("statement-form");
  if (!form) return;
  const lat = form.querySelector("input[name=lat]");
  const lon = form.querySelector("input[name=lon]");
  const place = document.getElementById("statement-place");
  const clear = document.getElementById("statement-place-clear");
  const feature = form.querySelector("select[name=feature]");
  let marker = null;

  function setPlace(latlng, message) {
    lat.value = latlng ? latlng.lat.toFixed(7) : "";
    lon.value = latlng ? latlng.lng.toFixed(7) : "";
    if (marker) { marker.remove(); marker = null; }
    if (latlng) {
      marker = L.marker(latlng, { title: place.dataset.chosen, keyboard: false }).addTo(map);
      place.textContent = message || `${place.dataset.chosen}: ${latlng.lat.toFixed(5)}, ${latlng.lng.toFixed(5)}`;
      clear.hidden = false;
    } else {
      place.textContent = message || place.dataset.empty;
      clear.hidden = true;
    }
    map.getContainer().dataset.statementPlace = latlng ? "1" : "";
  }

  map.on("click", (event) => {
    if (!insideArea(area, event.latlng)) {
      place.textContent = place.dataset.outside;
      return;
    }
    setPlace(event.latlng);
  });
  clear.addEventListener("click", () => setPlace(null));
  document.addEventListener("pb:feature-selected", (event) => {
    const { id, lat: flat, lng } = event.detail || {};
    if (feature && id != null && feature.querySelector(`option[value="${CSS.escape(String(id))}"]`)) feature.value = String(id);
    if (flat != null && lng != null) setPlace(L.latLng(flat, lng));
  });
  for (const link of document.querySelectorAll(".reply-link[data-reply-to]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      form.querySelector("input[name=reply_to]").value = link.dataset.replyTo;
      const text = form.querySelector("textarea[name=comment]");
      text.scrollIntoView({ block: "center" });
      text.focus();
    });
  }
  form.addEventListener("submit", () => {
    // A double click must not send twice; the server is idempotent anyway (form_token).
    const button = form.querySelector("button[type=submit]");
    setTimeout(() => { button.disabled = true; }, 0);
  });
}

// Features of GeoJSON layers that carry their database id (feature.id) become clickable
// for statements: a click selects the feature in the form and places the marker there.
function hookFeatureLayer(layer) {
  if (!layer.feature || layer.feature.id == null || layer.pbStatementHook) return;
  layer.pbStatementHook = true;
  layer.on("click", (event) => {
    L.DomEvent.stopPropagation(event);
    document.dispatchEvent(new CustomEvent("pb:feature-selected", {
      detail: { id: layer.feature.id, lat: event.latlng.lat, lng: event.latlng.lng },
    }));
  });
}

// With JavaScript the form moves into the column beside the map, so that clicking the
// map and writing happen side by side; without it the form stays below the plan text.
function placeFormBesideMap() {
  const box = document.getElementById("stellungnahme-abgeben");
  const column = document.querySelector(".plan__content");
  if (box && column && !column.contains(box)) {
    column.prepend(box);
    box.classList.add("statement-box--beside-map");
  }
}

function init(planMap) {
  if (document.getElementById("statement-form")) {
    placeFormBesideMap();
    planMap.map.eachLayer(hookFeatureLayer);
    planMap.map.on("layeradd", (event) => hookFeatureLayer(event.layer));
  }
  showStatements(planMap.map);
  connectForm(planMap.map, planMap.area);
  planMap.map.getContainer().dataset.statementsReady = "1";
}

if (window.planMap) init(window.planMap);
else document.addEventListener("pb:plan-map-ready", (event) => init(event.detail), { once: true });
