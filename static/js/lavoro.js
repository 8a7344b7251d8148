/* The page of a background job in the admin (a publication): while the job is queued or
 * running, ask its state every two seconds (the JSON at data-url-stato) and show its step; when
 * it ends, reload the page (the link to the published version, or «Riprova»). Loaded as a static
 * file under the Content-Security-Policy script-src 'self': no inline code. Without JavaScript
 * the page refreshes itself (the Refresh header) while the job runs. */
(function () {
  "use strict";
  var ATTESA = 2000;
  function avvia() {
    var riquadro = document.getElementById("lavoro");
    if (!riquadro || !window.fetch) {
      return;
    }
    var iniziale = riquadro.dataset.stato;
    if (iniziale !== "in_coda" && iniziale !== "in_corso") {
      return;
    }
    var etichetta = document.getElementById("lavoro-etichetta");
    var descrizione = document.getElementById("lavoro-descrizione");
    function chiedi() {
      window.fetch(riquadro.dataset.urlStato, {credentials: "same-origin", cache: "no-store"})
        .then(function (risposta) { return risposta.ok ? risposta.json() : null; })
        .then(function (stato) {
          if (!stato) {
            window.setTimeout(chiedi, ATTESA * 2);
            return;
          }
          if (!stato.attivo) {
            window.location.reload();
            return;
          }
          etichetta.textContent = stato.etichetta;
          descrizione.textContent = stato.descrizione;
          window.setTimeout(chiedi, ATTESA);
        })
        .catch(function () { window.setTimeout(chiedi, ATTESA * 2); });
    }
    window.setTimeout(chiedi, ATTESA);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", avvia);
  } else {
    avvia();
  }
}());
