// PurgeCSS: keep from Bootstrap Italia only the selectors that the citizen templates use.
// Classes built in templates from data (e.g. livello-{{ n }}) are in our own relazione.css,
// which is not purged.
module.exports = {
  content: [
    "templates/**/*.html",
    "trasparenza/templates/**/*.html",
    "static/js/**/*.js",
  ],
  css: ["static/vendor/bootstrap-italia/css/bootstrap-italia.min.css"],
  // :root variables, the reboot of html/body and the states a browser adds
  safelist: {
    standard: [/^(html|body|:root)$/, /focus/, /hover/, /active/, /disabled/, /visually-hidden/],
    greedy: [/^it-header/, /^it-footer/, /^navbar/, /^table/],
  },
  variables: true,
  fontFace: true,
  keyframes: true,
};
