// The driver page's carbon and tariff charts, drawn with the vendored Chart.js from the JSON each canvas
// carries in data-chart (htmx drops <script> elements from swapped panels, json_script's included):
// templates hold no inline JavaScript. Panels arrive by htmx, so the charts are
// drawn after each swap as well as on load. A canvas drawn with data points gets data-drawn="true", so a
// browser test knows the chart shows data.
(function () {
  "use strict";

  var BLUE = "#0072B2", VERMILION = "#D55E00"; // Okabe–Ito: told apart by colour-blind readers too

  function config(kind, data) {
    if (kind === "intensity") {
      return {
        type: "line",
        data: { labels: data.labels, datasets: [{ label: "gCO₂/kWh", data: data.values, borderColor: BLUE,
          backgroundColor: BLUE, tension: 0.2,
          pointRadius: data.values.map(function (_, index) { return index === data.now ? 5 : 1; }) }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
      };
    }
    return {
      type: "line",
      data: { labels: data.labels, datasets: [{ label: data.currency + " minor units per kWh", data: data.values,
        borderColor: VERMILION, backgroundColor: VERMILION, stepped: true, pointRadius: 0 }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    };
  }

  function drawAll() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-carbon-chart]").forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) { return; }
      var data = JSON.parse(canvas.getAttribute("data-chart"));
      var settings = config(canvas.getAttribute("data-carbon-chart"), data);
      settings.options = Object.assign({ animation: false, responsive: true, aspectRatio: 3 }, settings.options);
      var chart = new window.Chart(canvas, settings);
      if (chart.data.datasets[0].data.length > 0) { canvas.setAttribute("data-drawn", "true"); }
    });
  }

  // htmx:load fires on the new content of every swap (an outerHTML swap settles on the old, detached node).
  document.addEventListener("htmx:load", drawAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
