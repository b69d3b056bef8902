// Weighing page: the statement's place on a mini-map, and the text block picker without a page reload.
// Both are additions: the place is also described in words, and "Einfügen" works as a plain form POST.
import { createMap, planStyle, readJSON } from "../plans/basemap.js";

const mapElement = document.getElementById("weighing-map");
if (mapElement && document.getElementById("weighing-map-data")) {
  const data = readJSON("weighing-map-data");
  const map = createMap("weighing-map");
  const shown = L.featureGroup().addTo(map);
  if (data.area) L.geoJSON(JSON.parse(data.area), { style: () => ({ ...planStyle, fillOpacity: 0.05 }), interactive: false }).addTo(map);
  data.features.forEach((feature) =>
    L.geoJSON(JSON.parse(feature), {
      style: () => ({ color: "#0b2a52", weight: 3, fillColor: "#f5b700", fillOpacity: 0.4 }),
      pointToLayer: (_point, latlng) => L.circleMarker(latlng, { radius: 8, color: "#0b2a52", weight: 3, fillColor: "#f5b700", fillOpacity: 1 }),
    }).addTo(shown),
  );
  map.fitBounds(shown.getBounds(), { padding: [30, 30], maxZoom: 17 });
  mapElement.dataset.ready = "1";
}

const button = document.querySelector("[data-insert-block]");
if (button && document.getElementById("text-blocks-data")) {
  const texts = readJSON("text-blocks-data");
  const form = button.form;
  const select = form.querySelector("[name=text_block]");
  const response = form.querySelector("[name=response]");
  const inserted = form.querySelector("[name=inserted_blocks]");
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "help";
  button.parentElement.append(status);
  button.addEventListener("click", (event) => {
    const text = texts[select.value];
    if (!text || !response) return; // nothing chosen: let the server answer with its message
    event.preventDefault();
    const before = response.value.replace(/\s+$/, "");
    response.value = before ? `${before}\n\n${text}` : text;
    const ids = inserted.value ? inserted.value.split(",") : [];
    if (!ids.includes(select.value)) ids.push(select.value);
    inserted.value = ids.join(",");
    status.textContent = `${select.options[select.selectedIndex].text}: ${button.dataset.done}`;
    response.focus();
    response.setSelectionRange(response.value.length, response.value.length);
  });
}
