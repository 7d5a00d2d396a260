// The audit reports page's chart: findings per rule across reports, drawn with the vendored
// Chart.js from the JSON the page carries in <script type="application/json"> (json_script),
// as templates hold no inline JavaScript (a Content Security Policy will forbid it).
(function () {
  "use strict";

  // Okabe–Ito colours, told apart by colour-blind readers too; point shapes differ as well.
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933",
    "#882255", "#44AA99"];
  var POINTS = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];

  // `source` is the page's <script type="application/json"> (from this document, or from the page
  // htmx brought back: see the end).
  function draw(source) {
    var canvas = document.getElementById("audit-reports-chart");
    source = source || document.getElementById("audit-reports-chart-data");
    if (!canvas || !source || typeof window.Chart === "undefined" || window.Chart.getChart(canvas)) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var datasets = data.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.counts,
        borderColor: colour,
        backgroundColor: colour,
        pointStyle: POINTS[index % POINTS.length],
        pointRadius: 4,
        spanGaps: true, // a rule an older report did not run leaves a gap, not a zero
        tension: 0.2
      };
    });
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        // Wide and low beside the tables on a desktop; taller on a phone so the lines stay apart.
        aspectRatio: window.matchMedia("(max-width: 767px)").matches ? 1.4 : 3,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Findings" } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  // Back to a page of reports after the pager pushed a URL: htmx swaps in the page it fetched again
  // without running its scripts, and drops every <script> (the chart's data too), so the data is
  // read from that response here.
  document.addEventListener("htmx:historyRestore", function (event) {
    var html = event.detail && event.detail.serverResponse;
    if (html && document.getElementById("audit-reports-chart")) {
      draw(new DOMParser().parseFromString(html, "text/html").getElementById("audit-reports-chart-data"));
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(); });
  } else {
    draw();
  }
})();
