// Where a new statement points: a point (click, tap, "Punkt setzen" or the keyboard crosshair), a line
// or an area (drawn with Leaflet-Geoman). One geometry per statement, written into the hidden fields
// lat/lon, drawn_line or drawn_area; the server checks it against the Geltungsbereich again.
// Feedback names the place in words (inside the plan area, on or near a plan element), never coordinates.

function pointInRing(lng, lat, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = [ring[i].lng, ring[i].lat];
    const [xj, yj] = [ring[j].lng, ring[j].lat];
    if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygonLayer(layer, latlng) {
  if (!(layer instanceof L.Polygon)) return false;
  const polygons = L.LineUtil.isFlat(layer.getLatLngs()) ? [[layer.getLatLngs()]] : layer.getLatLngs();
  for (const polygon of polygons) {
    const rings = L.LineUtil.isFlat(polygon) ? [polygon] : polygon;
    if (rings.length && pointInRing(latlng.lng, latlng.lat, rings[0])
      && !rings.slice(1).some((hole) => pointInRing(latlng.lng, latlng.lat, hole))) return true;
  }
  return false;
}

export function insideArea(area, latlng) {
  let inside = false;
  area.eachLayer((layer) => { inside ||= inPolygonLayer(layer, latlng); });
  return inside;
}

// Plan elements loaded as GeoJSON (with their database id) that the feature select offers.
function planElements(map, select) {
  const found = [];
  if (!select) return found;
  map.eachLayer((layer) => {
    if (layer.feature && layer.feature.id != null) {
      const option = select.querySelector(`option[value="${CSS.escape(String(layer.feature.id))}"]`);
      if (option) found.push({ layer, label: option.textContent.trim() });
    }
  });
  return found;
}

function pixelDistance(map, layer, latlng) {
  const point = map.latLngToLayerPoint(latlng);
  if (layer.getLatLng) return point.distanceTo(map.latLngToLayerPoint(layer.getLatLng()));
  let best = Infinity;
  const rings = layer.getLatLngs().flat(3);
  for (let i = 1; i < rings.length; i++) {
    const a = map.latLngToLayerPoint(rings[i - 1]), b = map.latLngToLayerPoint(rings[i]);
    best = Math.min(best, L.LineUtil.pointToSegmentDistance(point, a, b));
  }
  return best;
}

function fill(template, name) {
  return template.replace("{name}", name);
}

export function createPlacer({ map, area, form, texts, place, onFeatureChosen }) {
  const lat = form.querySelector("input[name=lat]");
  const lon = form.querySelector("input[name=lon]");
  const areaField = form.querySelector("input[name=drawn_area]");
  const lineField = form.querySelector("input[name=drawn_line]");
  const feature = form.querySelector("select[name=feature]");
  const clear = document.getElementById("statement-place-clear");
  const editButton = document.getElementById("statement-drawing-edit");
  const deleteButton = document.getElementById("statement-drawing-delete");
  const container = map.getContainer();
  const newIcon = L.divIcon({ className: "statement-new-marker", html: "<span></span>", iconSize: [30, 30], iconAnchor: [15, 30] });
  let marker = null;
  let drawing = null;

  function describe(latlng) {
    let best = null;
    for (const element of planElements(map, feature)) {
      const distance = inPolygonLayer(element.layer, latlng) ? 0 : pixelDistance(map, element.layer, latlng);
      if (distance < 25 && (!best || distance < best.distance)) best = { ...element, distance };
    }
    if (!best) return texts.inArea;
    return fill(best.distance === 0 ? texts.onFeature : texts.nearFeature, best.label);
  }

  function removeGeometry() {
    if (marker) { marker.remove(); marker = null; }
    if (drawing) { drawing.pm?.disable(); drawing.remove(); drawing = null; }
    lat.value = lon.value = "";
    if (areaField) areaField.value = "";
    if (lineField) lineField.value = "";
    clear.hidden = true;
    editButton.hidden = deleteButton.hidden = true;
    editButton.textContent = editButton.dataset.label || editButton.textContent;
    container.dataset.statementPlace = "";
    container.dataset.statementDrawing = "";
  }

  function setPoint(latlng, message) {
    removeGeometry();
    if (!latlng) {
      place.textContent = message || place.dataset.empty;
      return;
    }
    lat.value = latlng.lat.toFixed(7);
    lon.value = latlng.lng.toFixed(7);
    marker = L.marker(latlng, { icon: newIcon, title: texts.newMarker, keyboard: false, zIndexOffset: 1000 }).addTo(map);
    place.textContent = message || `${place.dataset.chosen}: ${describe(latlng)}`;
    clear.hidden = false;
    container.dataset.statementPlace = "1";
  }

  function drawingVertices(layer) {
    return layer.getLatLngs().flat(2);
  }

  function writeDrawing() {
    if (!drawing) return;
    const shape = drawing instanceof L.Polygon ? "area" : "line";
    const geometry = drawing.toGeoJSON(7).geometry;
    (shape === "area" ? areaField : lineField).value = JSON.stringify(geometry);
    (shape === "area" ? lineField : areaField).value = "";
    const vertices = drawingVertices(drawing);
    const outside = vertices.some((v) => !insideArea(area, v));
    const centre = drawing.getBounds().getCenter();
    const where = outside ? texts.drawingOutside : describe(inPolygonLayer(drawing, centre) ? centre : vertices[0]);
    place.textContent = `${shape === "area" ? texts.areaDrawn : texts.lineDrawn}: ${where}`;
    container.dataset.statementDrawing = shape;
    container.dataset.statementDrawingOutside = outside ? "1" : "";
  }

  function setDrawing(layer) {
    removeGeometry();
    drawing = layer;
    drawing.setStyle({ color: "#5b2a86", weight: 4, dashArray: "8 4", fillColor: "#8e44ad", fillOpacity: 0.25 });
    drawing.on("pm:edit", writeDrawing);
    editButton.hidden = deleteButton.hidden = false;
    writeDrawing();
  }

  function toggleEdit(hint) {
    if (!drawing?.pm) return;
    editButton.dataset.label ||= editButton.textContent;
    if (drawing.pm.enabled()) {
      drawing.pm.disable();
      editButton.textContent = editButton.dataset.label;
      editButton.setAttribute("aria-pressed", "false");
      writeDrawing();
    } else {
      drawing.pm.enable({ allowSelfIntersection: false, snappable: false });
      editButton.textContent = texts.editStop;
      editButton.setAttribute("aria-pressed", "true");
      hint(texts.editHint);
    }
  }

  // The chosen element may sit in a layer that is switched off: load that layer's GeoJSON to outline it.
  async function findElement(id) {
    const onMap = planElements(map, feature).find((e) => String(e.layer.feature.id) === String(id));
    if (onMap || !id) return onMap || null;
    const label = feature.selectedOptions[0]?.textContent.trim() || "";
    for (const { layer, layerConfig } of (window.planLayers || new Map()).values()) {
      if (layerConfig.mode !== "geojson" || !layer.load) continue; // tiles and raster drawings hold no elements
      await layer.load();
      const found = layer.getLayers().find((sub) => String(sub.feature?.id) === String(id));
      if (found) return { layer: found, label };
    }
    return null;
  }

  // A plan element that refers to textliche Festsetzungen (XPlanGML refTextInhalt) preselects the first of them
  // in the section select, unless the citizen chose a section already.
  function preselectSection(element) {
    const section = form.querySelector("select[name=section]");
    const links = document.getElementById("plan-text-sections");
    if (!element || !section || section.value || !links) return;
    const sections = JSON.parse(links.textContent);
    const refs = [element.layer.feature.properties?.refTextInhalt].flat(2).filter((ref) => typeof ref === "string");
    const match = refs.map((ref) => sections[ref]).find((s) => s && section.querySelector(`option[value="${s.id}"]`));
    if (match) section.value = String(match.id);
  }

  function chooseFeature(id) {
    findElement(id).then((element) => {
      onFeatureChosen(element);
      preselectSection(element);
    });
  }

  clear.addEventListener("click", () => setPoint(null, texts.removed));
  deleteButton.addEventListener("click", () => {
    removeGeometry();
    place.textContent = texts.removed;
    form.querySelector("[data-tool=area]").focus();
  });
  feature?.addEventListener("change", () => chooseFeature(feature.value));
  return { setPoint, setDrawing, toggleEdit, describe, chooseFeature, removeGeometry };
}
