import { expect, test } from '@jupyterlab/galata';
import { Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * A Workbench instance's "Open JupyterLab" opens a working Lab: created from
 * the panel, its Lab (the instance's own Jupyter server, run by the embedded
 * Vertex) shows no error dialog, its Vertex panel is connected to the same
 * embedded Vertex (and lists the instance itself), and its Git panel works.
 */

const INSTANCE = 'wb-lab';
const SUMMARY = 'Local · local-project · us-central1';

/** A left sidebar tab of a Lab that is not Galata's page (no window.jupyterapp). */
function sideTab(lab: Page, id: string) {
  return lab.locator(`.jp-SideBar.lm-TabBar .lm-TabBar-tab[data-id="${id}"]`);
}

test.describe('Workbench instance JupyterLab', () => {
  test('the instance opens a Lab with git and a connected Vertex panel, and no error dialog', async ({
    page
  }) => {
    test.setTimeout(360_000);
    await page.sidebar.openTab(PANEL_ID);
    const panel = page.locator(`#${PANEL_ID}`);
    const instances = panel.getByRole('region', { name: 'Instances' });
    await expect(instances).toBeVisible();

    // Create it from the panel, with the form's defaults.
    await instances.getByRole('button', { name: 'Create instance' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByLabel('Instance id').fill(INSTANCE);
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toHaveCount(0);
    const row = instances.locator(
      `.jp-Vertex-InstanceRow[data-instance-id="${INSTANCE}"]`
    );
    await expect(row.locator('.jp-Vertex-state')).toHaveText('Active', {
      timeout: 180_000
    });
    const ours = await (
      await page.request.get('jupyter-vertex/api/status')
    ).json();

    // Its Lab, in a new page.
    const popupPromise = page.waitForEvent('popup');
    await row
      .getByRole('button', { name: `Open JupyterLab of ${INSTANCE}` })
      .click();
    const lab = await popupPromise;
    await lab.setViewportSize({ width: 1440, height: 900 });
    // Ready: the shell is there with the extensions' sidebar tabs.
    const vertexTab = sideTab(lab, PANEL_ID);
    const gitTab = sideTab(lab, 'jp-git-sessions');
    await expect(vertexTab).toBeVisible({ timeout: 120_000 });
    await expect(gitTab).toBeVisible();

    // The Git panel works: the instance's disk is no repository (git looks
    // no further up than the instance's folder), and it offers to make one.
    await gitTab.click();
    const git = lab.locator('#jp-git-sessions');
    await expect(git).toContainText(
      'You are not currently in a Git repository',
      { timeout: 60_000 }
    );
    await expect(
      git.getByRole('button', { name: 'Initialize a Repository' })
    ).toBeVisible();

    // The Vertex panel: the same embedded Vertex, running, no error.
    await vertexTab.click();
    const vertex = lab.locator(`#${PANEL_ID}`);
    await expect(vertex.getByTestId('vertex-summary')).toHaveText(SUMMARY);
    const details = vertex.locator('.jp-Vertex-Header-details');
    await expect(details).toHaveText('embedded Vertex AI running');
    await expect(details).toHaveAttribute('title', ours.emulator.url);
    const itself = vertex
      .getByRole('region', { name: 'Instances' })
      .locator(`.jp-Vertex-InstanceRow[data-instance-id="${INSTANCE}"]`);
    await expect(itself.locator('.jp-Vertex-state')).toHaveText('Active');
    await expect(vertex.getByRole('alert')).toHaveCount(0);

    // No error dialog: by now both extensions have asked their servers.
    await expect(lab.locator('.jp-Dialog')).toHaveCount(0);

    // A fresh Lab (its settings are the instance's own, not the user's) asks
    // about Jupyter news, in a toast, not a dialog; answered for the picture.
    const news = lab
      .locator('.Toastify__toast')
      .filter({ hasText: 'Would you like to get notified about official' });
    await expect(news).toBeVisible();
    await news.getByRole('button', { name: 'No', exact: true }).click();
    await expect(news).toHaveCount(0);

    await lab.mouse.move(0, 0);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    // 1440x900, for docs/screenshots/workbench-lab.png.
    await lab.screenshot({ path: path.join(SCREENSHOTS, 'workbench-lab.png') });
    await lab.close();

    // Clean up through the extension's API: later specs start with none.
    const deleted = await page.request.delete(
      `jupyter-vertex/api/instances/${INSTANCE}`
    );
    expect(deleted.status()).toBe(202);
    await expect
      .poll(
        async () =>
          (
            await page.request.get(`jupyter-vertex/api/instances/${INSTANCE}`)
          ).status(),
        { timeout: 120_000 }
      )
      .toBe(404);
  });
});
