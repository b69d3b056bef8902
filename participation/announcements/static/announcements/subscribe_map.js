// Subscription form: clicking the map fills latitude/longitude and shows the chosen radius.
// The number fields stay the keyboard-accessible way to enter a place.
import { createMap, readJSON } from "../plans/basemap.js";

const config = readJSON("subscribe-map-config");
const element = document.getElementById("subscribe-map");
if (config && element) {
  const map = createMap("subscribe-map");
  const [w, s, e, n] = config.extent;
  map.fitBounds([[s, w], [n, e]]);
  const lat = document.getElementById("id_latitude");
  const lon = document.getElementById("id_longitude");
  const radius = document.getElementById("id_radius_m");
  const areaChoice = document.querySelector('input[name="kind"][value="area"]');
  let circle = null;

  const show = () => {
    const la = parseFloat(lat.value);
    const lo = parseFloat(lon.value);
    if (Number.isNaN(la) || Number.isNaN(lo)) return;
    const r = parseInt(radius.value, 10) || 1000;
    if (circle) circle.remove();
    circle = L.circle([la, lo], { radius: r, color: "#1d4f91", weight: 2, fillOpacity: 0.1 }).addTo(map);
  };

  map.on("click", (event) => {
    lat.value = event.latlng.lat.toFixed(5);
    lon.value = event.latlng.lng.toFixed(5);
    if (areaChoice) areaChoice.checked = true;
    show();
  });
  [lat, lon, radius].forEach((input) => input.addEventListener("change", show));
  show();
  element.dataset.ready = "1";
}
