/* The author dashboard's chart: horizontal bars, one per day or month, each with its value
   printed beside it, so nothing needs a hover on a phone.  Data comes from the page's
   json_script block (no inline script); Chart.js and its datalabels plugin are served from
   /static/fanwen/vendor/. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("stats-chart-data");
    var canvas = document.getElementById("stats-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var box = canvas.parentNode;
    box.style.height = (data.labels.length * 26 + 40) + "px";
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
        layout: { padding: { right: 56 } },
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
          x: { display: false, grace: "5%" },
          y: { ticks: { font: { size: 13 }, color: ink, autoSkip: false }, grid: { display: false } }
        }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
