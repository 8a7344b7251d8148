/* «Pubblica» in the admin: feedback while the request publishes (the page, the open data and the
 * PDF are prepared inside the request until publishing becomes a background job, issue 17). The
 * confirm button is disabled after the first click (no second publication by a double click) and
 * says «Pubblicazione in corso…»; a status line appears. Loaded as a static file under the
 * Content-Security-Policy script-src 'self': no inline code. Without JavaScript the form works
 * the same, without the feedback. */
(function () {
  "use strict";
  function avvia() {
    var moduli = document.querySelectorAll("form.pubblica-conferma");
    Array.prototype.forEach.call(moduli, function (modulo) {
      modulo.addEventListener("submit", function (evento) {
        if (modulo.dataset.inviato) {
          evento.preventDefault();
          return;
        }
        modulo.dataset.inviato = "1";
        var pulsante = modulo.querySelector("input[type=submit][data-in-corso]");
        if (pulsante) {
          // the button's name/value would be lost once disabled: keep it in a hidden field
          var nascosto = document.createElement("input");
          nascosto.type = "hidden";
          nascosto.name = pulsante.name;
          nascosto.value = pulsante.value;
          modulo.appendChild(nascosto);
          pulsante.value = pulsante.dataset.inCorso;
          // disabled once the browser has taken the form's data (a control disabled inside the
          // submit event would leave it)
          window.setTimeout(function () { pulsante.disabled = true; }, 0);
        }
        var stato = modulo.querySelector(".pubblica-in-corso");
        if (stato) {
          stato.hidden = false;
        }
        modulo.setAttribute("aria-busy", "true");
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", avvia);
  } else {
    avvia();
  }
}());
