// Starts Swagger UI on /docs. A file of its own, not an inline script, so the
// Content-Security-Policy can allow scripts from this origin only.
const script = document.currentScript;
window.ui = SwaggerUIBundle({
  url: script.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null, // the public validator is not reachable offline, nor wanted
});
