// Render every <div data-chart="ID"> from the JSON figure in <script id="ID" type="application/json">.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"]
    });
  });
})();
