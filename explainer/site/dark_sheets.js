// Inlined into each Quarto page by explainer/site/quarto_weight.py, after the <noscript> holding the
// dark stylesheets (which apply as they are without JavaScript). With it, they are fetched only when
// needed: written into the page, as its own links, when the page opens dark (the system is dark
// and the reader made no choice, or the reader chose dark with Quarto's toggle, which keeps the
// choice in localStorage), so that the first paint waits for them as it waits for the light ones;
// otherwise added disabled, and fetched only when Quarto's script enables them (the toggle, or the
// system turning dark). A reader's choice lifts their "dark system" condition.
(function () {
  var sheets = document.getElementById("quarto-dark-sheets").textContent, choice = null;
  try { choice = localStorage.getItem("quarto-color-scheme"); } catch (error) {}
  var lift = function () {
    document.querySelectorAll("link.quarto-color-alternate").forEach(function (link) { link.media = "all"; });
  };
  if (choice === "alternate" || (choice === null && matchMedia("(prefers-color-scheme: dark)").matches)) {
    document.write(sheets);
  } else {
    document.currentScript.insertAdjacentHTML("beforebegin", sheets.replace(/rel="stylesheet"/g, 'rel="disabled-stylesheet"'));
  }
  if (choice !== null) lift();
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".quarto-color-scheme-toggle")) lift();
  }, true);
})();
