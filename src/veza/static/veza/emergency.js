// The live count of an area in emergency mode: the figures are fetched again every 30 seconds.
// Progressive enhancement only: without this file the page shows the figures of the moment it
// was loaded, and its Refresh link loads them anew.
document.addEventListener("DOMContentLoaded", () => {
  const root = document.querySelector("[data-live-counts]");
  if (!root) return;
  const EVERY = 30000;
  const status = root.querySelector("[data-live-status]");
  const chart = root.querySelector("[data-live-chart]");
  const toggle = root.querySelector("[data-live-toggle]");
  let paused = false;

  const refresh = async () => {
    if (paused || document.hidden) return;
    let data;
    try {
      const response = await fetch(root.dataset.liveCounts, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) return; // signed out or no longer allowed: keep the last figures
      data = await response.json();
    } catch (error) {
      return; // offline: keep the last figures; the Refresh link still works
    }
    for (const cell of root.querySelectorAll("[data-count]")) {
      const value = data.counts[cell.dataset.count];
      if (value !== undefined) cell.textContent = String(value);
    }
    if (chart && typeof data.chart === "string") {
      // The chart is drawn by the server, which escapes every text in it.
      const open = chart.querySelector("details")?.open;
      chart.innerHTML = data.chart;
      const details = chart.querySelector("details");
      if (details && open) details.open = true;
    }
    if (status) status.textContent = data.updated;
    if (!data.active) {
      // Emergency mode ended elsewhere: the figures stop changing, reload to show it.
      window.location.reload();
    }
  };

  if (toggle) {
    // Changing content can be stopped (WCAG 2.2.2): the button pauses and resumes the updates.
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      paused = !paused;
      toggle.textContent = paused ? root.dataset.resumeLabel : root.dataset.pauseLabel;
      if (!paused) refresh();
    });
  }
  window.setInterval(refresh, EVERY);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
});
