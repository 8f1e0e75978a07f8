// Upgrade each static chart (an SVG rendered at build time) to the interactive Vega view with
// tooltips. The Vega bundle (self-hosted beside this file) and each chart's spec (data/charts/)
// are fetched only after first paint, when the browser is idle, or as soon as a reader points at
// or focuses a chart. If anything fails, the static chart simply stays: it carries every fact.
(function () {
  "use strict";
  var graphics = Array.prototype.slice.call(document.querySelectorAll(".chart-graphic"));
  if (!graphics.length) return;
  var scriptUrl = document.currentScript.src;
  var bundleUrl = new URL("vendor/vega-bundle.js", scriptUrl).href;
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
    if (graphic.dataset.interactive) return Promise.resolve();
    // the chart's Vega-Lite spec, exported beside its PNG, SVG and CSV in data/charts/
    var specUrl = new URL("../data/charts/" + graphic.dataset.chart + ".vl.json", scriptUrl).href;
    var view = document.createElement("div");
    view.className = "chart-interactive";
    var spec;
    return fetch(specUrl)
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + specUrl);
        return response.json();
      })
      .then(function (loaded) {
        spec = loaded;
        // ast: true evaluates expressions without eval(), as the Content Security Policy requires
        return window.vegaEmbed(view, spec, { renderer: "svg", actions: false, ast: true, tooltip: true });
      })
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

  // Only once the page has painted its content: the bundle must never delay what readers see first.
  function afterFirstPaint(callback) {
    var painted = function (list) {
      return list.getEntriesByName("first-contentful-paint").length > 0;
    };
    if (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes &&
        PerformanceObserver.supportedEntryTypes.indexOf("paint") >= 0) {
      if (painted(performance)) return callback();
      var observer = new PerformanceObserver(function (list) {
        if (painted(list)) { observer.disconnect(); callback(); }
      });
      observer.observe({ type: "paint", buffered: true });
    } else {
      requestAnimationFrame(function () { requestAnimationFrame(callback); });
    }
  }

  function whenLoadedAndPainted() {
    afterFirstPaint(function () { whenIdle(loadBundle); });
  }

  if (document.readyState === "complete") whenLoadedAndPainted();
  else window.addEventListener("load", whenLoadedAndPainted);
  graphics.forEach(function (graphic) {
    graphic.addEventListener("pointerenter", loadBundle, { once: true });
    graphic.addEventListener("focusin", loadBundle, { once: true });
  });
})();
