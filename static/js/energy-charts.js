// The HEM systems' energy statistics charts, drawn with the vendored Chart.js from the JSON each canvas
// carries in its data-chart attribute (htmx drops a swapped fragment's <script> elements, json_script's
// too, as allowScriptTags is off): templates hold no inline JavaScript. Panels arrive by htmx after the page has
// loaded, so charts are drawn on load and after every swap. A canvas drawn with data points gets
// data-drawn="true", so a browser test knows the chart shows data.
(function () {
  "use strict";

  // Okabe–Ito colours, told apart by colour-blind readers too.
  var COLOURS = ["#E69F00", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9"];

  function draw(canvas) {
    if (typeof window.Chart === "undefined" || window.Chart.getChart(canvas)) { return; }
    var source = canvas.getAttribute("data-chart");
    if (!source) { return; }
    var data = JSON.parse(source);
    var datasets = data.series.map(function (series, index) {
      return { label: series.label, data: series.data, borderColor: COLOURS[index % COLOURS.length],
        backgroundColor: COLOURS[index % COLOURS.length], tension: 0.2, pointRadius: 0, spanGaps: false };
    });
    var chart = new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: { animation: false, responsive: true, interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, title: { display: true, text: "kWh" } } } }
    });
    var points = chart.data.datasets.reduce(function (sum, dataset) {
      return sum + dataset.data.filter(function (value) { return value !== null; }).length;
    }, 0);
    if (points > 0) { canvas.setAttribute("data-drawn", "true"); } // drawn from data, not an empty frame
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas.hem-stats-chart"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  document.addEventListener("htmx:afterSettle", drawAll);
})();
