/* 委机关总览: draws the by-category bar chart and the monthly trend line from the page's json_script block
   (#dashboard-data). No inline script (CSP-friendly); the tables under the charts carry the same numbers, so the
   page reads the same without JavaScript. Chart.js is served locally from static/vendor/chart.umd.min.js. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var red = "#b71c1c";
    var common = {
      responsive: true,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
    };
    var categories = document.getElementById("chart-categories");
    if (categories && data.categories && data.categories.labels.length) {
      new window.Chart(categories, {
        type: "bar",
        data: { labels: data.categories.labels,
                datasets: [{ data: data.categories.counts, backgroundColor: red }] },
        options: common
      });
    }
    var months = document.getElementById("chart-months");
    if (months && data.months && data.months.labels.length) {
      new window.Chart(months, {
        type: "line",
        data: { labels: data.months.labels,
                datasets: [{ data: data.months.counts, borderColor: red, backgroundColor: red, tension: 0 }] },
        options: common
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
