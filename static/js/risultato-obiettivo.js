/* The objective's admin page: the result computed from the indicators and phases, refreshed
 * while the user types. Progressive enhancement: without JavaScript the block shows the saved
 * values' result and «Salva e continua le modifiche» refreshes it. The figures are never
 * computed here: the whole form is posted (with its CSRF token) to the admin's JSON view, which
 * calls valutazione/scoring.py. Loaded as a static file under the Content-Security-Policy
 * script-src 'self': no inline code, no eval. */
(function () {
  "use strict";
  var ATTESA_MS = 250;

  function avvia() {
    var blocco = document.getElementById("risultato-calcolato");
    var modulo = document.getElementById("obiettivo_form");
    if (!blocco || !modulo || !window.fetch || !window.FormData) {
      return;
    }
    var campo = function (nome) { return blocco.querySelector("[data-campo=\"" + nome + "\"]"); };
    if (!campo("percentuale")) {
      return; // no SMVP: nothing to compute
    }
    var timer = null;
    var richiesta = 0;
    if (campo("origine").hasAttribute("data-modificabile")) {
      campo("origine").textContent = "Calcolato dai valori salvati; si aggiorna mentre si scrive.";
    }

    function elenco(contenitore, righe) {
      contenitore.textContent = "";
      righe.forEach(function (testo) {
        var voce = document.createElement(contenitore.tagName === "UL" ? "li" : "p");
        voce.textContent = testo;
        contenitore.appendChild(voce);
      });
      contenitore.hidden = righe.length === 0;
    }

    function mostra(dati) {
      var errori = dati.errori || [];
      elenco(campo("errori"), errori);
      elenco(campo("avvisi"), dati.avvisi || []);
      if (errori.length) {
        campo("origine").textContent = "Correggere il valore indicato: il risultato non è aggiornato.";
        return;
      }
      campo("percentuale").textContent = dati.percentuale;
      campo("grado").textContent = dati.grado_testo;
      elenco(campo("righe"), dati.righe || []);
      campo("righe").hidden = false;
      campo("origine").textContent = "Aggiornato con i valori scritti nella pagina, non ancora salvati.";
    }

    function aggiorna() {
      var numero = ++richiesta;
      fetch(blocco.getAttribute("data-url"), {
        method: "POST",
        body: new FormData(modulo),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (risposta) {
        return risposta.json();
      }).then(function (dati) {
        if (numero === richiesta) {
          mostra(dati);
        }
      }).catch(function () {
        if (numero === richiesta) {
          campo("origine").textContent = "Non è stato possibile aggiornare il risultato: " +
            "«Salva e continua le modifiche» lo ricalcola.";
        }
      });
    }

    function programma(evento) {
      if (blocco.contains(evento.target)) {
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(aggiorna, ATTESA_MS);
    }

    modulo.addEventListener("input", programma);
    modulo.addEventListener("change", programma);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", avvia);
  } else {
    avvia();
  }
})();
