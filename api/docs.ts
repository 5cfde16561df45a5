/**
 * The API docs UI (Swagger UI) served from the `swagger-ui-dist` package: no CDN. It reads the
 * OpenAPI document (open: it holds no data) without a token and takes the admin token through its
 * own Authorize dialog (the document's bearer scheme), kept for the tab.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const assetsDir = dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

function page(specUrl: string, assetsBase: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>scimflow API</title>
<link rel="stylesheet" href="${assetsBase}/swagger-ui.css">
<link rel="icon" href="${assetsBase}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assetsBase}/swagger-ui-bundle.js"></script>
<script src="${assetsBase}/swagger-ui-standalone-preset.js"></script>
<script>
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specUrl)},
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    persistAuthorization: true,
  });
</script>
</body>
</html>`;
}

/** Routes for the docs page (`/docs`) and its assets (`/docs/assets/*`). */
export function docsRoutes(options: { specUrl: string; base: string }) {
  const app = new Hono();
  app.get('/docs', (c) => c.html(page(options.specUrl, `${options.base}/docs/assets`)));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    const body = await readFile(join(assetsDir, file));
    return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
