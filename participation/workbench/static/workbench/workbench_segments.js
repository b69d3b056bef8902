// Weighing page: selecting text in the statement fills in the span form ("Als Teil abtrennen").
// An addition: the form's start/end fields can be typed in, and "Nach Absätzen teilen" needs no selection.
const text = document.getElementById("statement-text");
const form = document.getElementById("teil-abtrennen");

// The offset of (node, offset) in the statement's text: each piece carries its start in data-start.
function offsetOf(node, offset) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const piece = element && element.closest("[data-start]");
  if (!piece || !text.contains(piece)) return null;
  if (node.nodeType !== Node.TEXT_NODE) {
    // A boundary between child nodes: before the piece's text, or after it.
    return Number(piece.dataset.start) + (offset > 0 ? piece.textContent.length : 0);
  }
  return Number(piece.dataset.start) + offset;
}

if (text && form) {
  const start = form.querySelector("[name=start]");
  const end = form.querySelector("[name=end]");
  const status = document.getElementById("span-selection");
  const update = () => {
    const selection = document.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    const range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) return;
    const from = offsetOf(range.startContainer, range.startOffset);
    const to = offsetOf(range.endContainer, range.endOffset);
    if (from === null || to === null || from >= to) return;
    start.value = String(from);
    end.value = String(to);
    const chosen = selection.toString().trim();
    status.textContent = `${form.dataset.selected || "Ausgewählt"}: „${chosen.length > 80 ? chosen.slice(0, 80) + "…" : chosen}“`;
  };
  document.addEventListener("selectionchange", update);
}
