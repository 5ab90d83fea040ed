/* The dashboards' charts (the author's /studio/stats/ and the operators' /ops/):
   horizontal bars, each with its value printed beside it (left of a negative bar), so
   nothing needs a hover on a phone.  Every <canvas data-chart="ID"> reads its data from the json_script block ID (no
   inline script); Chart.js and its datalabels plugin are served from /static/fanwen/vendor/. */
(function () {
  "use strict";
  function drawOne(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    canvas.parentNode.style.height = (data.labels.length * 26 + 40) + "px";
    var plugins = [];
    if (typeof window.ChartDataLabels !== "undefined") plugins.push(window.ChartDataLabels);
    var ink = getComputedStyle(document.body).color || "#222";
    new window.Chart(canvas, {
      type: "bar",
      plugins: plugins,
      data: {
        labels: data.labels,
        datasets: [{
          data: data.values,
          backgroundColor: data.values.map(function (v) { return v < 0 ? "#8a8f98" : "#b3261e"; }),
          borderRadius: 3,
          barPercentage: 0.8,
          categoryPercentage: 0.9
        }]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { right: 64 } },
        plugins: {
          legend: { display: false },
          tooltip: { enabled: false },
          datalabels: {
            anchor: "end",
            align: function (ctx) { return data.values[ctx.dataIndex] < 0 ? "start" : "end"; },
            clamp: true,
            color: ink,
            font: { size: 13, weight: "600" },
            formatter: function (_value, ctx) { return data.texts[ctx.dataIndex]; }
          }
        },
        scales: {
          x: { display: false, grace: "5%", beginAtZero: true },
          y: { ticks: { font: { size: 13 }, color: ink, autoSkip: false }, grid: { display: false } }
        }
      }
    });
  }
  function draw() {
    if (typeof window.Chart === "undefined") return;
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) drawOne(canvases[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
