// Upgrade each static chart (an SVG rendered at build time) to the interactive Vega view with
// tooltips. The Vega bundle is self-hosted beside this file and fetched only after first paint
// (when the browser is idle) or as soon as a reader points at or focuses a chart. If anything
// fails, the static chart simply stays: it already carries every fact.
(function () {
  "use strict";
  var graphics = Array.prototype.slice.call(document.querySelectorAll(".chart-graphic"));
  if (!graphics.length) return;
  var bundleUrl = new URL("vendor/vega-bundle.js", document.currentScript.src).href;
  var loading = null;

  function loadBundle() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = bundleUrl;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      }).then(upgradeAll, function () { /* offline or blocked: keep the static charts */ });
    }
    return loading;
  }

  function upgrade(graphic) {
    var specNode = graphic.parentNode.querySelector("script.chart-spec");
    if (!specNode || graphic.dataset.interactive) return Promise.resolve();
    var spec = JSON.parse(specNode.textContent);
    var view = document.createElement("div");
    view.className = "chart-interactive";
    // ast: true evaluates expressions without eval(), as the Content Security Policy requires
    return window.vegaEmbed(view, spec, { renderer: "svg", actions: false, ast: true, tooltip: true })
      .then(function () {
        var svg = view.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", spec.description || "");
        }
        graphic.replaceChildren(view);
        graphic.dataset.interactive = "true";
      })
      .catch(function () { /* keep the static chart */ });
  }

  function upgradeAll() {
    return Promise.all(graphics.map(upgrade));
  }

  var whenIdle = window.requestIdleCallback || function (callback) { return setTimeout(callback, 200); };
  if (document.readyState === "complete") whenIdle(loadBundle);
  else window.addEventListener("load", function () { whenIdle(loadBundle); });
  graphics.forEach(function (graphic) {
    graphic.addEventListener("pointerenter", loadBundle, { once: true });
    graphic.addEventListener("focusin", loadBundle, { once: true });
  });
})();
