// Inlined into each Quarto page by explainer/site/quarto_scripts.py, which says why.
// Each <script type="text/x-after-paint" data-src> becomes a script again, in document order, once
// the page has been parsed and painted; the DOMContentLoaded listeners they add (the event has
// passed) are called once the last has run, in the order they were added. <html> says which:
// data-scripts="loading", then "ready". Meanwhile an element with the id "exports", "module" or
// "define" (a heading "Exports") is hidden from the scripts, whose UMD wrappers would find it as a
// global of that name and register themselves on it, not on window; and a press on a menu or
// navbar button is held, and given to it once Bootstrap has come.
(function () {
  var painted = false, started = false, pressed = null;
  document.documentElement.setAttribute("data-scripts", "loading");
  var hold = function (event) {
    var control = event.target.closest && event.target.closest("[data-bs-toggle]");
    if (control) { pressed = control; event.preventDefault(); }
  };
  document.addEventListener("click", hold, true);
  function start() {
    if (started || !painted || document.readyState === "loading") return;
    started = true;
    var waiting = [].slice.call(document.querySelectorAll('script[type="text/x-after-paint"]'));
    var held = [], add = document.addEventListener;
    var shadowing = ["exports", "module", "define"].filter(function (name) {
      return !Object.prototype.hasOwnProperty.call(window, name) && window[name] instanceof Element;
    });
    shadowing.forEach(function (name) { window[name] = undefined; });
    document.addEventListener = function (type, listener, options) {
      if (type === "DOMContentLoaded") held.push(listener);
      else add.call(document, type, listener, options);
    };
    var done = function () {
      document.addEventListener = add;
      shadowing.forEach(function (name) { delete window[name]; });
      var event = new Event("DOMContentLoaded");
      held.forEach(function (listener) {
        if (typeof listener === "function") listener.call(document, event); else listener.handleEvent(event);
      });
      document.documentElement.setAttribute("data-scripts", "ready");
      document.removeEventListener("click", hold, true);
      if (pressed) pressed.click();
    };
    if (!waiting.length) return done();
    waiting.forEach(function (placeholder, index) {
      var script = document.createElement("script");
      if (placeholder.getAttribute("data-type")) script.type = placeholder.getAttribute("data-type");
      script.async = false;
      script.src = placeholder.getAttribute("data-src");
      if (index === waiting.length - 1) script.onload = script.onerror = done;
      placeholder.replaceWith(script);
    });
  }
  function paint() { painted = true; setTimeout(start); }
  try {
    new PerformanceObserver(function (list) {
      if (list.getEntriesByName("first-contentful-paint").length) paint();
    }).observe({ type: "paint", buffered: true });
  } catch (error) {}
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", paint);
})();
