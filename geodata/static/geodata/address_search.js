// Address search: an ARIA 1.2 combobox (input + listbox, aria-activedescendant) over /api/v1/adressen/.
// Arrow keys move through the results, Enter takes one, Escape closes the list (a second Escape clears
// the input); a live region announces how many addresses were found. A chosen address is sent to the
// map named in data-map as the event "pb:address-selected" (plans/basemap.js pans there and sets a
// marker) and written into the fields named in data-fill-lat / data-fill-lon, so nobody has to type
// coordinates. All texts come from the template's data-* attributes. Works without any map.

const DEBOUNCE_MS = 200;
const MIN_LENGTH = 2;

function setUp(root) {
  const input = root.querySelector("[role=combobox]");
  const list = root.querySelector("[role=listbox]");
  const status = root.querySelector("[role=status]");
  const texts = root.dataset;
  let results = [];
  let active = -1;
  let timer = null;
  let controller = null;
  let lastQuery = "";

  const say = (template, values = {}) =>
    Object.entries(values).reduce((text, [key, value]) => text.replace(`%(${key})s`, String(value)), template || "");

  function optionId(index) {
    return `${list.id}-${index}`;
  }

  function open() {
    if (!results.length) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
    list.querySelectorAll("[aria-selected=true]").forEach((node) => node.setAttribute("aria-selected", "false"));
  }

  function highlight(index) {
    const options = list.querySelectorAll("[role=option]");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach((node, position) => node.setAttribute("aria-selected", String(position === active)));
    input.setAttribute("aria-activedescendant", optionId(active));
    options[active].scrollIntoView({ block: "nearest" });
  }

  function render() {
    list.replaceChildren(
      ...results.map((hit, index) => {
        const option = document.createElement("li");
        option.id = optionId(index);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "address-search__option";
        option.textContent = hit.label;
        return option;
      }),
    );
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (results.length) {
      open();
      status.textContent = say(results.length === 1 ? texts.statusOne : texts.statusOther, { count: results.length });
    } else {
      close();
      status.textContent = texts.statusNone;
    }
  }

  async function search(query) {
    if (controller) controller.abort();
    controller = new AbortController();
    const params = new URLSearchParams({ q: query });
    if (texts.municipality) params.set("gemeinde", texts.municipality);
    try {
      const response = await fetch(`${texts.url}?${params}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      if (input.value.trim() !== query) return; // the visitor typed on meanwhile
      results = data.results || [];
      render();
    } catch (error) {
      if (error.name === "AbortError") return;
      results = [];
      render();
      status.textContent = texts.statusError;
    }
  }

  function choose(index) {
    const hit = results[index];
    if (!hit) return;
    input.value = hit.label;
    lastQuery = input.value.trim();
    close();
    status.textContent = say(texts.statusChosen, { label: hit.label });
    const detail = { lat: hit.lat, lon: hit.lon, label: hit.label };
    const map = texts.map ? document.getElementById(texts.map) : null;
    if (map) map.dispatchEvent(new CustomEvent("pb:address-selected", { detail }));
    fill(texts.fillLat, hit.lat.toFixed(5));
    fill(texts.fillLon, hit.lon.toFixed(5));
    if (texts.fillCheck) {
      const choice = document.querySelector(texts.fillCheck);
      if (choice && !choice.checked) {
        choice.checked = true;
        choice.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    root.dataset.chosen = `${hit.lat},${hit.lon}`;
    root.dispatchEvent(new CustomEvent("pb:address-selected", { detail, bubbles: true }));
  }

  function fill(id, value) {
    const field = id ? document.getElementById(id) : null;
    if (!field) return;
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  input.addEventListener("input", () => {
    const query = input.value.trim();
    clearTimeout(timer);
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < MIN_LENGTH) {
      if (controller) controller.abort();
      results = [];
      list.replaceChildren();
      close();
      status.textContent = "";
      return;
    }
    timer = setTimeout(() => search(query), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    const expanded = !list.hidden;
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!expanded) open();
        // Alt+ArrowDown only opens the list (ARIA 1.2 combobox pattern).
        if (results.length && !event.altKey) highlight(active + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        if (!expanded) open();
        if (results.length) highlight(active < 0 ? results.length - 1 : active - 1);
        break;
      case "Enter":
        if (expanded) {
          // Never submit the surrounding form while the list is open.
          event.preventDefault();
          if (active >= 0) choose(active);
        }
        break;
      case "Escape":
        if (expanded) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          lastQuery = "";
          results = [];
          list.replaceChildren();
          status.textContent = "";
        }
        break;
      default:
        break;
    }
  });

  // Mouse and touch: choosing keeps the focus in the input.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose([...list.children].indexOf(option));
  });
  input.addEventListener("blur", close);

  root.hidden = false;
}

document.querySelectorAll("[data-address-search]").forEach(setUp);
