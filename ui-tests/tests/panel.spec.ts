import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

/**
 * UI tests of the Vertex AI panel against the real server extension and its
 * embedded Vertex (started by `jlpm start`, see jupyter_server_test_config.py).
 */

const PANEL_ID = 'jp-vertex-panel';
const SUMMARY = 'Local · local-project · us-central1';
const NOTEBOOK = 'register-a-model.ipynb';
const SCREENSHOTS = path.resolve(__dirname, '..', 'test-results');

async function openPanel(page: IJupyterLabPageFixture) {
  await page.sidebar.openTab(PANEL_ID);
  const panel = page.locator(`#${PANEL_ID}`);
  await expect(panel).toBeVisible();
  return panel;
}

async function screenshotPanel(page: IJupyterLabPageFixture, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // The panel down to the end of its content (the sidebar is mostly empty
  // below it), then the whole page for context.
  const panel = await page.locator(`#${PANEL_ID}`).boundingBox();
  const body = await page
    .locator(`#${PANEL_ID} .jp-Vertex-PanelView-body > :last-child`)
    .boundingBox();
  if (panel && body) {
    const bottom = Math.min(panel.y + panel.height, body.y + body.height + 24);
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${name}.png`),
      clip: {
        x: panel.x,
        y: panel.y,
        width: panel.width,
        height: bottom - panel.y
      }
    });
  }
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}-page.png`)
  });
}

test.describe('Vertex AI panel', () => {
  test('the panel opens and shows the backend and a model', async ({
    page
  }) => {
    // Open it from the left sidebar, like a user.
    const tab = page.sidebar.getTabLocator(PANEL_ID);
    await expect(tab).toBeVisible();
    await tab.click();
    const panel = page.locator(`#${PANEL_ID}`);
    await expect(panel).toBeVisible();
    await expect(panel.getByTestId('vertex-summary')).toHaveText(SUMMARY);
    await expect(
      panel.getByRole('region', { name: 'Endpoints' })
    ).toBeVisible();

    // Make a model exist the way a user does: open the example notebook from
    // the file browser, come back to the panel and run all cells.
    await page.sidebar.openTab('filebrowser');
    await page.filebrowser.openHomeDirectory();
    expect(await page.notebook.openByPath(NOTEBOOK)).toBe(true);
    await page.notebook.activate(NOTEBOOK);
    // The notebook's toolbar offers to train it on Vertex.
    await expect(
      page
        .locator('.jp-NotebookPanel-toolbar')
        .locator('[data-jp-item-name="vertex-train"]')
    ).toBeVisible();
    await tab.click();
    await expect(panel).toBeVisible();
    expect(await page.notebook.run()).toBe(true);
    const errors = page.locator(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'
    );
    await expect(
      errors,
      `the notebook raised: ${await errors.allInnerTexts()}`
    ).toHaveCount(0);

    // The panel, still open beside the notebook, picks it up by polling.
    const models = panel.getByRole('region', { name: 'Models' });
    const row = models.getByRole('listitem').filter({
      hasText: 'digits-classifier'
    });
    await expect(row).toBeVisible();
    await expect(row).toContainText('v1');
    await expect(row).toContainText('Not deployed');
    await expect(row).toHaveAttribute('aria-label', /^digits-classifier, /);

    // Rows are reachable with the keyboard.
    await row.focus();
    await expect(row).toBeFocused();

    // An endpoint, created through the extension's REST API, shows after a
    // click on the header's refresh button.
    const created = await page.request.post('jupyter-vertex/api/endpoints', {
      data: { displayName: 'digits-endpoint' }
    });
    expect(created.status()).toBe(201);
    const endpoints = panel.getByRole('region', { name: 'Endpoints' });
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    const endpointRow = endpoints.getByRole('listitem').filter({
      hasText: 'digits-endpoint'
    });
    await expect(endpointRow).toBeVisible();
    await expect(endpointRow).toContainText('0 models');
    await page.mouse.move(0, 0); // no hover highlight in the screenshots

    await page.notebook.save();
    await screenshotPanel(page, 'panel-light');

    await page.theme.setDarkTheme();
    await expect(row).toBeVisible();
    await screenshotPanel(page, 'panel-dark');
    await page.theme.setLightTheme();
  });

  test('the panel comes back after a reload', async ({ page }) => {
    // The layout restorer saves the workspace (debounced) once the layout
    // changes: wait for that save, then reload.
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/lab/api/workspaces')
    );
    await openPanel(page);
    await saved;
    await page.reload();
    await page.waitForSelector('#jupyterlab-splash', { state: 'detached' });
    await expect(page.locator(`#${PANEL_ID}`)).toBeVisible();
    await expect(page.getByTestId('vertex-summary')).toHaveText(SUMMARY);
  });

  test('commands open and refresh the panel', async ({ page }) => {
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-vertex:open-panel');
    });
    await expect(page.locator(`#${PANEL_ID}`)).toBeVisible();
    const labels = await page.evaluate(() => {
      const commands = window.jupyterapp.commands;
      return ['jupyter-vertex:open-panel', 'jupyter-vertex:refresh'].map(id =>
        commands.label(id)
      );
    });
    expect(labels).toEqual(['Open Vertex AI Panel', 'Refresh Vertex AI Panel']);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jupyter-vertex:refresh');
    });
    await expect(page.getByTestId('vertex-summary')).toHaveText(SUMMARY);
  });

  test("a failing status shows the server's message and hint", async ({
    page
  }) => {
    // What a server without a project answers on every route.
    await page.route('**/jupyter-vertex/api/**', route =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          message: 'No Google Cloud project is set.',
          reason: 'CONFIGURATION',
          hint: 'Set `c.VertexApp.project` in jupyter_server_config.py or the GOOGLE_CLOUD_PROJECT environment variable.'
        })
      })
    );
    const panel = await openPanel(page);
    await panel.getByRole('button', { name: 'Refresh all' }).click();
    const banner = panel.getByRole('alert');
    await expect(banner).toHaveCount(1); // not repeated in each list
    await expect(banner).toContainText('No Google Cloud project is set.');
    await expect(banner).toContainText('GOOGLE_CLOUD_PROJECT');
    await expect(banner).toContainText('CONFIGURATION · HTTP 503');
    await expect(panel.getByTestId('vertex-summary')).toHaveText(
      'Not connected'
    );
    await expect(panel.getByRole('region', { name: 'Models' })).toContainText(
      'Not available until the problem above is solved.'
    );
    await page.mouse.move(0, 0);
    await screenshotPanel(page, 'panel-error');
  });
});
