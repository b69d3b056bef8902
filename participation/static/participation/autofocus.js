// Move the keyboard and screen-reader focus to the one element the server marked with
// data-autofocus: the success message after sending a statement, or the error summary of an
// invalid form. The element has tabindex="-1", so focusing it scrolls it into view.
const target = document.querySelector("[data-autofocus]");

function focusTarget() {
  // Only while nothing else has the focus: never take it back from where the visitor went.
  if (target && target.isConnected && (document.activeElement === document.body || document.activeElement === null)) {
    target.focus();
  }
}

if (target) {
  target.focus();
  // On the plan page the map script moves the statement form beside the map, which drops the
  // focus of an element inside it: focus again once that is done.
  if (!window.planMap) {
    document.addEventListener("pb:plan-map-ready", () => setTimeout(focusTarget, 0), { once: true });
  }
}
