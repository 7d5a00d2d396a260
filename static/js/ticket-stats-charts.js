// The ticket statistics page's charts, drawn with the vendored Chart.js (and its sankey plugin for the
// category flow) from the JSON the page carries (json_script): templates hold no inline JavaScript.
// Each canvas drawn with data points gets data-drawn="true", so a browser test knows the chart shows data.
(function () {
  "use strict";

  // Okabe–Ito colours, told apart by colour-blind readers too.
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999933",
    "#882255", "#44AA99"];

  function colours(count) {
    var found = [];
    for (var index = 0; index < count; index++) { found.push(COLOURS[index % COLOURS.length]); }
    return found;
  }

  function draw(name, config) {
    var canvas = document.getElementById("ticket-chart-" + name);
    if (!canvas || window.Chart.getChart(canvas)) { return; }
    config.options = Object.assign({ animation: false, responsive: true }, config.options || {});
    var chart = new window.Chart(canvas, config);
    var points = chart.data.datasets.reduce(function (sum, dataset) { return sum + dataset.data.length; }, 0);
    if (points > 0) { canvas.setAttribute("data-drawn", "true"); } // drawn from data, not an empty frame
  }

  function bars(name, series, options) {
    if (!series) { return; }
    draw(name, {
      type: "bar",
      data: { labels: series.labels, datasets: [{ label: "Tickets", data: series.counts,
        backgroundColor: colours(series.counts.length) }] },
      options: Object.assign({ plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }, options || {})
    });
  }

  function doughnut(name, series) {
    if (!series) { return; }
    draw(name, {
      type: "doughnut",
      data: { labels: series.labels, datasets: [{ data: series.counts, backgroundColor: colours(series.counts.length) }] },
      options: { aspectRatio: 2, plugins: { legend: { position: "right" } } }
    });
  }

  function drawAll() {
    var source = document.getElementById("ticket-stats-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (data.volume) {
      draw("volume", {
        type: "line",
        data: { labels: data.volume.labels, datasets: [{ label: "Tickets created", data: data.volume.counts,
          borderColor: COLOURS[0], backgroundColor: COLOURS[0], tension: 0.2 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    doughnut("resolution", data.resolution);
    doughnut("status", data.status);
    bars("priority", data.priority);
    bars("source", data.source);
    bars("top_categories", data.top_categories, { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
    if (data.category_flow && data.category_flow.links.length) {
      var nodeColours = {};
      Object.keys(data.category_flow.labels).forEach(function (id, index) { nodeColours[id] = COLOURS[index % COLOURS.length]; });
      draw("category_flow", {
        type: "sankey",
        data: { datasets: [{ label: "Tickets", data: data.category_flow.links, labels: data.category_flow.labels,
          colorFrom: function (context) { return nodeColours[context.dataset.data[context.dataIndex].from]; },
          colorTo: function (context) { return nodeColours[context.dataset.data[context.dataIndex].to]; } }] },
        options: { aspectRatio: 2.5 }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
