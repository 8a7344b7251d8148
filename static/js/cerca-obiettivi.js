/* Search box of the objectives' list: progressive enhancement. Without JavaScript the box stays
 * hidden and the page works through its filter links (server-rendered pages). Loaded as a static
 * file under the Content-Security-Policy script-src 'self': no inline code, no eval. */
(function () {
  "use strict";
  function normalizza(testo) {
    return testo.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ");
  }
  function avvia() {
    var scatola = document.querySelector(".cerca-obiettivi");
    var tabella = document.getElementById("tabella-elenco-obiettivi");
    if (!scatola || !tabella) {
      return;
    }
    var campo = scatola.querySelector("input");
    var esito = document.getElementById("cerca-obiettivi-esito");
    var righe = Array.prototype.slice.call(tabella.tBodies[0].rows);
    var testi = righe.map(function (riga) { return normalizza(riga.textContent); });
    scatola.hidden = false;
    campo.addEventListener("input", function () {
      var parole = normalizza(campo.value).trim().split(" ").filter(Boolean);
      var visibili = 0;
      righe.forEach(function (riga, i) {
        var trovata = parole.every(function (p) { return testi[i].indexOf(p) !== -1; });
        riga.hidden = !trovata;
        if (trovata) {
          visibili += 1;
        }
      });
      esito.textContent = parole.length ? visibili + " obiettivi su " + righe.length : "";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", avvia);
  } else {
    avvia();
  }
})();
