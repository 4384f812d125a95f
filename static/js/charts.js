// Render every <div data-chart="ID"> from the JSON figure in <script id="ID" type="application/json">,
// on page load and in content htmx swaps in later (e.g. the person page's network section).
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  function render(root) {
    if (!root || !root.querySelectorAll) { return; }
    var charts = Array.prototype.slice.call(root.querySelectorAll("[data-chart]"));
    if (root.matches && root.matches("[data-chart]")) { charts.push(root); }
    charts.forEach(function (el) {
      if (el.dataset.chartDrawn) { return; }
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      el.dataset.chartDrawn = "1";
      Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"]
      });
    });
  }
  render(document);
  document.body.addEventListener("htmx:load", function (event) { render(event.detail.elt); });
})();
