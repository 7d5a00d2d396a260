// The API budget page's chart: requests per hour over the last 24 hours, stacked by what sent them
// (staff, bulk jobs, directory syncs, system), drawn with the vendored Chart.js from the JSON
// the page carries in <script type="application/json"> (json_script): the CSP allows no inline script.
(function () {
  "use strict";

  // Okabe–Ito colours, told apart by colour-blind readers too; the legend names each.
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

  function draw() {
    var canvas = document.getElementById("api-spend-chart");
    var source = document.getElementById("api-spend-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined" || window.Chart.getChart(canvas)) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var datasets = data.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return { label: series.label, data: series.counts, backgroundColor: colour, borderColor: colour };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        aspectRatio: window.matchMedia("(max-width: 767px)").matches ? 1.4 : 3,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true, title: { display: true, text: "Hour (UTC)" } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Requests" } }
        },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
