// Prüfbericht: a point per problem on the map; "Auf der Karte zeigen" centres the map on the problem's place.
const errorStyle = { radius: 7, color: "#8a1c1c", weight: 3, fillColor: "#c0392b", fillOpacity: 0.9 };
const warningStyle = { radius: 6, color: "#5c4400", weight: 3, fillColor: "#f5b700", fillOpacity: 0.9 };
const focusStyle = { color: "#0b2a52", weight: 3, fill: false, dashArray: "4 4" };

export function showProblems(map) {
  const buttons = document.querySelectorAll(".validation-show");
  const status = document.getElementById("validation-map-status");
  let focus = null;
  buttons.forEach((button) => {
    const lat = Number(button.dataset.lat);
    const lon = Number(button.dataset.lon);
    const isError = button.closest(".validation-problem--error") !== null;
    const marker = L.circleMarker([lat, lon], isError ? errorStyle : warningStyle).addTo(map);
    marker.bindTooltip(button.dataset.label);
    button.addEventListener("click", () => {
      const box = (button.dataset.bbox || "").split(",").map(Number);
      if (focus) focus.remove();
      if (box.length === 4 && box.every(Number.isFinite)) {
        const [west, south, east, north] = box;
        focus = L.rectangle([[south, west], [north, east]], focusStyle).addTo(map);
        map.fitBounds(focus.getBounds(), { padding: [30, 30], maxZoom: 19 });
      }
      map.setView([lat, lon], Math.max(map.getZoom(), 17));
      marker.openTooltip();
      map.getContainer().dataset.centre = `${lat},${lon}`;
      map.getContainer().scrollIntoView({ block: "nearest" });
      if (status) status.textContent = `${button.dataset.label}: ${lat.toFixed(6)} N, ${lon.toFixed(6)} O`;
    });
  });
}
