// The statement form's map tools: "Punkt setzen", "Linie zeichnen", "Fläche zeichnen" (Leaflet-Geoman)
// and "Ort mit der Tastatur wählen" (a crosshair: arrow keys move the map, Enter places the point at
// the centre, Escape leaves). Hints go to a live region; the place itself to #statement-place.
import { createPlacer, insideArea } from "./statement_place.js";

const DRAW_SHAPES = { line: "Line", area: "Polygon" };

export function connectTools({ map, area, form, statements }) {
  const tools = document.getElementById("statement-tools");
  const place = document.getElementById("statement-place");
  if (!tools || !place) return null;
  const texts = tools.dataset;
  const hintBox = document.getElementById("statement-tools-hint");
  const container = map.getContainer();
  const hint = (text) => { hintBox.textContent = text; };
  let mode = null;
  let highlight = null;

  function showFeature(element) {
    if (highlight) { highlight.remove(); highlight = null; }
    if (!element) return;
    const geojson = element.layer.toGeoJSON();
    const outline = L.geoJSON(geojson, {
      interactive: false,
      style: () => ({ color: "#111111", weight: 5, dashArray: "2 7", fillColor: "#f1c40f", fillOpacity: 0.3 }),
      pointToLayer: (_f, latlng) => L.circleMarker(latlng, { radius: 10, color: "#111111", weight: 4, fill: false }),
    });
    const bounds = outline.getBounds();
    const icon = L.divIcon({ className: "statement-feature-marker", html: "<span></span>", iconSize: [26, 26] });
    const label = `${texts.featureMarker}: ${element.label}`;
    highlight = L.layerGroup([outline, L.marker(bounds.getCenter(), { icon, title: label, keyboard: false, interactive: false })]).addTo(map);
    if (!map.getBounds().contains(bounds)) map.fitBounds(bounds, { padding: [30, 30], maxZoom: map.getZoom() });
    container.dataset.featureHighlight = String(element.layer.feature.id);
    hint(label);
  }

  const placer = createPlacer({ map, area, form, texts, place, onFeatureChosen: showFeature });
  if (map.pm === undefined && L.PM) map.pm = new L.PM.Map(map);
  if (map.pm && document.documentElement.lang.startsWith("de")) map.pm.setLang("de");

  function setMode(next) {
    const previous = mode;
    mode = next === mode ? null : next;
    if (map.pm && previous in DRAW_SHAPES) map.pm.disableDraw();
    for (const button of tools.querySelectorAll("[data-tool]")) {
      button.setAttribute("aria-pressed", String(button.dataset.tool === mode));
    }
    container.classList.toggle("map--placing", mode === "point" || mode === "keyboard");
    container.classList.toggle("map--drawing", mode in DRAW_SHAPES);
    container.classList.toggle("map--crosshair", mode === "keyboard");
    container.dataset.statementTool = mode || "";
    if (mode && mode !== "keyboard") container.scrollIntoView({ block: "nearest" }); // on phones the map is elsewhere
    if (mode === "point") hint(texts.pointHint);
    else if (mode in DRAW_SHAPES && map.pm) {
      map.pm.enableDraw(DRAW_SHAPES[mode], { snappable: false, allowSelfIntersection: false, finishOnEnter: true, continueDrawing: false });
      hint(texts[`${mode}Hint`]);
    } else if (mode === "keyboard") {
      container.dataset.centreInside = "";
      container.focus();
      container.scrollIntoView({ block: "nearest" });
      hint(texts.keyboardOn);
    } else if (previous === "keyboard") hint(texts.keyboardOff);
    else if (previous) hint("");
  }

  for (const button of tools.querySelectorAll("[data-tool]")) {
    if (button.dataset.tool in DRAW_SHAPES && !map.pm) { button.hidden = true; continue; }
    button.addEventListener("click", () => setMode(button.dataset.tool));
  }

  map.on("pm:create", (event) => {
    placer.setDrawing(event.layer);
    setMode(null);
  });
  document.getElementById("statement-drawing-edit").addEventListener("click", () => placer.toggleEdit(hint));

  map.on("click", (event) => {
    if (mode in DRAW_SHAPES || container.dataset.statementDrawing) return; // a drawing is edited or deleted, not replaced
    if (!insideArea(area, event.latlng)) {
      place.textContent = place.dataset.outside;
      return;
    }
    placer.setPoint(event.latlng);
    if (mode === "point") setMode(null);
  });

  // Keyboard crosshair: Leaflet's own keyboard handler pans and zooms; Enter and Escape are ours.
  container.addEventListener("keydown", (event) => {
    if (mode !== "keyboard") return;
    if (event.key === "Enter") {
      event.preventDefault();
      const centre = map.getCenter();
      if (insideArea(area, centre)) placer.setPoint(centre);
      else place.textContent = place.dataset.outside;
    } else if (event.key === "Escape") {
      event.preventDefault();
      setMode(null);
      tools.querySelector("[data-tool=keyboard]").focus();
    }
  });
  container.addEventListener("focusout", (event) => {
    if (mode === "keyboard" && !container.contains(event.relatedTarget)) setMode(null);
  });
  map.on("moveend", () => {
    if (mode !== "keyboard") return;
    const inside = insideArea(area, map.getCenter()) ? "1" : "0";
    if (container.dataset.centreInside !== inside) hint(inside === "1" ? texts.centreInside : texts.centreOutside);
    container.dataset.centreInside = inside;
  });

  // "Find an address and comment there": an address chosen in the address search
  // (geodata/address_search.js) becomes the statement's point when it lies in the Geltungsbereich.
  container.addEventListener("pb:address-selected", ({ detail }) => {
    if (!detail || !Number.isFinite(detail.lat) || !Number.isFinite(detail.lon)) return;
    const label = String(detail.label || "");
    if (mode) setMode(null);
    if (container.dataset.statementDrawing) {
      hint(texts.addressDrawingKept);
      return;
    }
    const latlng = L.latLng(detail.lat, detail.lon);
    if (!insideArea(area, latlng)) {
      const message = texts.addressOutside.replace("{name}", label);
      if (!container.dataset.statementPlace) place.textContent = message; // an earlier point stays chosen
      hint(message);
      container.dataset.addressOutside = "1";
      return;
    }
    container.dataset.addressOutside = "";
    const where = texts.addressChosen.replace("{name}", label);
    placer.setPoint(latlng, `${place.dataset.chosen}: ${where}, ${placer.describe(latlng)}`);
    hint("");
  });

  // While a place is being chosen, taps on existing statements go to the map (see the CSS);
  // otherwise a tap on a cluster zooms in, and the hint says how to place a point there.
  statements?.on("clusterclick", () => { if (!mode) hint(texts.clusterExplained); });

  tools.hidden = false;
  return placer;
}
