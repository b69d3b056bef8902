// Import progress: poll the status endpoint and reload the page when the preview is ready or the import is done.
const status = document.getElementById("import-status");
const bar = document.getElementById("import-progress-bar");
const text = document.getElementById("import-progress-text");

async function poll() {
  try {
    const response = await fetch(status.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) {
      const data = await response.json();
      status.textContent = data.status_label;
      if (data.finished || data.status !== status.dataset.status) {
        window.location.reload();
        return;
      }
      if (data.total) {
        bar.max = data.total;
        bar.value = data.done;
        text.textContent = `${data.done} / ${data.total}`;
      }
    }
  } catch (error) {
    // Network hiccup: keep polling.
  }
  window.setTimeout(poll, 1500);
}

if (status && status.dataset.finished !== "1") {
  window.setTimeout(poll, 500);
}
