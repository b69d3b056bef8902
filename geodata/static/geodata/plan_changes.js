// Plan page of a round after changes (§ 4a Abs. 3 BauGB): the "Änderungen" layer (styled by kind, legend in
// the page) and a before/after swipe: the earlier version's layers left of a divider, the changed version's
// right of it, the divider moved by a labelled <input type="range"> (keyboard: arrow keys, Home, End).
// The list of changes in the page says the same in words; the map is never the only way.
const config = JSON.parse(document.getElementById("plan-changes-config").textContent);
const section = document.getElementById("plan-changes");
const texts = section.dataset; // translated in the template

function styleFor(kind) {
  return config.styles[kind] || config.styles.geometry;
}

function geoJSONLayer(data, pane, styleOf) {
  return L.geoJSON(data, {
    pane,
    // Not interactive: a click on a changed part must reach the map (it places the statement's point).
    interactive: false,
    style: styleOf,
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...styleOf(feature), radius: 7, pane, interactive: false }),
  });
}

function addPane(map, name, zIndex) {
  const pane = map.getPane(name) || map.createPane(name);
  pane.style.zIndex = String(zIndex);
  pane.style.pointerEvents = "none";
  return pane;
}

function changeLayer(map) {
  addPane(map, "pb-changes", 460);
  const layer = geoJSONLayer(config.changes, "pb-changes", (feature) => styleFor(feature.properties.kind));
  const toggle = document.getElementById("changes-toggle");
  const sync = () => (toggle.checked ? layer.addTo(map) : layer.remove());
  toggle.addEventListener("change", sync);
  sync();
  section.dataset.changeCount = String(layer.getLayers().length);
}

async function versionLayers(layers, pane) {
  const group = L.layerGroup();
  const renderer = L.svg({ pane });
  await Promise.all(layers.map(async (entry) => {
    try {
      const response = await fetch(entry.url, { headers: { Accept: "application/geo+json" } });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      const layer = L.geoJSON(data, {
        pane,
        renderer,
        interactive: false,
        style: () => entry.style,
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...entry.style, radius: 5, pane, renderer, interactive: false }),
      });
      group.addLayer(layer);
    } catch {
      document.getElementById("swipe-status").textContent = texts.loadError;
    }
  }));
  return group;
}

function swipe(map) {
  const toggle = document.getElementById("swipe-toggle");
  const controls = document.getElementById("swipe-controls");
  const range = document.getElementById("swipe-range");
  if (!toggle || !range) return;
  const before = addPane(map, "pb-before", 430);
  const after = addPane(map, "pb-after", 420);
  const divider = L.DomUtil.create("div", "swipe-divider", map.getContainer());
  divider.hidden = true;
  let loaded = null;

  function clip() {
    const size = map.getSize();
    const nw = map.containerPointToLayerPoint([0, 0]);
    const se = map.containerPointToLayerPoint(size);
    const x = nw.x + (size.x * Number(range.value)) / 100;
    before.style.clipPath = `polygon(${nw.x}px ${nw.y}px, ${x}px ${nw.y}px, ${x}px ${se.y}px, ${nw.x}px ${se.y}px)`;
    after.style.clipPath = `polygon(${x}px ${nw.y}px, ${se.x}px ${nw.y}px, ${se.x}px ${se.y}px, ${x}px ${se.y}px)`;
    divider.style.left = `${(size.x * Number(range.value)) / 100}px`;
    range.setAttribute("aria-valuetext", texts.valueText.replace("%s", range.value));
  }

  async function sync() {
    const on = toggle.checked;
    controls.hidden = !on;
    divider.hidden = !on;
    map.getContainer().classList.toggle("map--swipe", on);
    if (on && loaded === null) {
      loaded = "loading";
      const [old, current] = await Promise.all([
        versionLayers(config.before, "pb-before"),
        versionLayers(config.after, "pb-after"),
      ]);
      loaded = { old, current };
    }
    if (loaded && loaded !== "loading") {
      for (const group of [loaded.old, loaded.current]) (toggle.checked ? group.addTo(map) : group.remove());
    }
    clip();
    section.dataset.swipe = toggle.checked ? "on" : "off";
  }

  range.addEventListener("input", clip);
  map.on("move zoom resize viewreset", clip);
  toggle.addEventListener("change", sync);
  controls.hidden = true;
}

function start({ map }) {
  changeLayer(map);
  swipe(map);
  section.dataset.ready = "1";
}

if (window.planMap) start(window.planMap);
else document.addEventListener("pb:plan-map-ready", (event) => start(event.detail), { once: true });
