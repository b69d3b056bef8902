// Plan page: published statements as clustered markers named "9 Stellungnahmen"; the form's map
// tools (statement_tools.js) place a point or draw a line or area for a new statement.
// Another module may dispatch "pb:feature-selected" (detail: {id, lat, lng}) when a plan
// feature is clicked: the statement then refers to that feature.

import { readJSON } from "../plans/basemap.js";
import { connectTools } from "./statement_tools.js";

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

function clusterIcon(label) {
  return (cluster) => {
    const count = cluster.getChildCount();
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    const html = document.createElement("div");
    const number = document.createElement("span");
    number.setAttribute("aria-hidden", "true");
    number.textContent = String(count);
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = label.replace("{count}", String(count));
    html.append(number, name);
    return L.divIcon({ html: html.outerHTML, className: `marker-cluster marker-cluster-${size}`, iconSize: L.point(40, 40) });
  };
}

function showStatements(map) {
  const markers = readJSON("statement-markers") || [];
  const label = document.getElementById("stellungnahmen")?.dataset.cluster || "{count}";
  const group = L.markerClusterGroup
    ? L.markerClusterGroup({ showCoverageOnHover: false, iconCreateFunction: clusterIcon(label) })
    : L.layerGroup();
  const icon = new L.Icon.Default({ className: "statement-marker" });
  for (const item of markers) {
    const marker = L.marker([item.lat, item.lon], { icon, title: `${item.author}: ${item.topic}`, alt: item.topic });
    marker.bindPopup(() => popupContent(item));
    group.addLayer(marker);
  }
  group.addTo(map);
  map.getContainer().dataset.statementMarkers = String(markers.length);
  return group;
}

function connectForm(map, area, statements) {
  const form = document.getElementById("statement-form");
  if (!form) return;
  const feature = form.querySelector("select[name=feature]");
  const placer = connectTools({ map, area, form, statements });
  document.addEventListener("pb:feature-selected", (event) => {
    const { id, lat: flat, lng } = event.detail || {};
    if (feature && id != null && feature.querySelector(`option[value="${CSS.escape(String(id))}"]`)) {
      feature.value = String(id);
      placer?.chooseFeature(id);
    }
    // A drawing stays until it is deleted: a click on a plan element only refers to the element then.
    if (flat != null && lng != null && !map.getContainer().dataset.statementDrawing) placer?.setPoint(L.latLng(flat, lng));
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
  const statements = showStatements(planMap.map);
  connectForm(planMap.map, planMap.area, statements);
  planMap.map.getContainer().dataset.statementsReady = "1";
}

if (window.planMap) init(window.planMap);
else document.addEventListener("pb:plan-map-ready", (event) => init(event.detail), { once: true });
