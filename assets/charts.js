// The interactive charts, only for readers who ask for them. Each chart is a static picture
// (data/charts/, chosen by the browser for the reader's width and colour scheme), complete
// without this script. The script shows each chart's "Explore this chart" button; pointing at or
// focusing a chart starts fetching the self-hosted Vega bundle, and the button swaps in the
// interactive view of the same drawing (layout and scheme), in the picture's box. Nothing loads
// when the page loads. If anything fails, the picture simply stays.
(function () {
  "use strict";
  var figures = Array.prototype.slice.call(document.querySelectorAll("figure.explainer-chart"));
  if (!figures.length) return;
  var scriptUrl = document.currentScript.src;
  var narrow = window.matchMedia("(max-width: 559.98px)");  // as LAYOUTS in explainer/chart_theme.py
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  var loading = null;

  function loadBundle() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = new URL("vendor/vega-bundle.js", scriptUrl).href;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  // The same choice the <picture> made (see followToggle): Quarto's toggle wins over the system's.
  function isDark() {
    if (document.body.classList.contains("quarto-dark")) return true;
    if (document.body.classList.contains("quarto-light")) return false;
    return systemDark.matches;
  }

  // The drawing's typeface, loaded before Vega measures and draws the chart's text, as vl-convert
  // did for the picture. Under a family of the charts' own (assets/fonts/fonts.css): a page that
  // went without the font (font-display: optional) has given up on the page's faces for good.
  // Should it fail to load, a sans-serif stands in, never the browser's default serif.
  function withTypeface(spec) {
    var family = spec.config && spec.config.font;
    if (!family) return Promise.resolve();
    spec.config.font = '"' + family + ' Charts", "' + family + '", system-ui, sans-serif';
    if (!document.fonts) return Promise.resolve();
    return Promise.all(["400", "700"].map(function (weight) {
      return document.fonts.load(weight + ' 1em "' + family + ' Charts"');
    })).catch(function () {});
  }

  function specUrl(slug) {
    var name = slug + "." + (narrow.matches ? "narrow" : "wide") + (isDark() ? ".dark" : "") + ".vl.json";
    return new URL("../data/charts/" + name, scriptUrl).href;
  }

  function explore(figure, button) {
    var graphic = figure.querySelector(".chart-graphic");
    var picture = graphic.querySelector("img");
    var box = picture.getBoundingClientRect();
    var view = document.createElement("div");
    view.className = "chart-interactive";
    var hadFocus = document.activeElement === button;  // before disabling it takes the focus away
    button.disabled = true;
    var spec;
    return Promise.all([loadBundle(), fetch(specUrl(figure.dataset.chart))])
      .then(function (results) {
        if (!results[1].ok) throw new Error(results[1].status + " " + results[1].url);
        return results[1].json();
      })
      .then(function (loaded) {
        spec = loaded;
        return withTypeface(spec);
      })
      .then(function () {
        // ast: true evaluates expressions without eval(), as the Content Security Policy requires
        // tooltips of the "custom" theme: assets/explainer.css gives them the page's type and scheme
        return window.vegaEmbed(view, spec, { renderer: "svg", actions: false, ast: true, tooltip: { theme: "custom" } });
      })
      .then(function () {
        var svg = view.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", spec.description || "");
        }
        // the view takes the picture's exact box: nothing below it moves
        view.style.width = box.width + "px";
        view.style.height = box.height + "px";
        graphic.replaceChildren(view);
        figure.dataset.interactive = "true";
        button.classList.remove("is-ready");
        if (hadFocus) {  // the button goes: a keyboard reader stays on the chart, not back at the page's top
          view.tabIndex = -1;
          view.focus();
        }
      })
      .catch(function () {
        button.disabled = false; // keep the static chart
        if (hadFocus) button.focus();
      });
  }

  // Quarto's colour-scheme toggle changes the page's scheme, not the system's that the pictures'
  // media queries ask: make each picture's dark drawings follow the toggle. (Without JavaScript
  // there is no toggle, and the media queries alone decide.)
  function followToggle() {
    var forced = document.body.classList.contains("quarto-dark") ? "dark"
      : document.body.classList.contains("quarto-light") ? "light" : null;
    figures.forEach(function (figure) {
      figure.querySelectorAll("source").forEach(function (source) {
        var media = source.dataset.media || source.getAttribute("media");
        if (media.indexOf("(prefers-color-scheme: dark)") < 0) return;
        source.dataset.media = media;
        source.media = forced === "dark" ? media.replace(" and (prefers-color-scheme: dark)", "")
          : forced === "light" ? "not all" : media;
      });
    });
  }
  followToggle();
  new MutationObserver(followToggle).observe(document.body, { attributes: true, attributeFilter: ["class"] });

  figures.forEach(function (figure) {
    var button = figure.querySelector(".chart-explore");
    if (!button) return;
    button.classList.add("is-ready");  // its box was kept, invisible: nothing moves
    figure.addEventListener("pointerenter", loadBundle, { once: true });
    figure.addEventListener("focusin", loadBundle, { once: true });
    button.addEventListener("click", function () { explore(figure, button); });
  });
})();
