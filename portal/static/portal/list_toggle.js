// Start page on small screens (≤ 600 px): the map first; the "Liste" button opens the plan list and its filter.
// Without JavaScript the button stays hidden and the list is always shown. A filtered or paged list opens.
const button = document.getElementById("list-toggle");
const panel = document.getElementById(button?.getAttribute("aria-controls") || "");
const small = window.matchMedia("(max-width: 600px)");

function setOpen(open) {
  button.setAttribute("aria-expanded", String(open));
  panel.hidden = !open;
}

function apply() {
  button.hidden = !small.matches;
  setOpen(!small.matches || button.hasAttribute("data-open"));
}

if (button && panel) {
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    if (open) button.setAttribute("data-open", "");
    else button.removeAttribute("data-open");
    setOpen(open);
  });
  small.addEventListener("change", apply);
  apply();
}
