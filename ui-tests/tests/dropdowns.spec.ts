import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';
import { PANEL_ID, SCREENSHOTS } from './helpers';

/**
 * Issue 12, small things: the panel's dropdowns show an arrow in light and
 * dark themes (JupyterLab's styled <select> has none of its own).
 */
test('dropdowns show an arrow in the theme colour, light and dark', async ({
  page
}) => {
  await page.sidebar.openTab(PANEL_ID);
  const select = page.locator(`#${PANEL_ID}`).getByRole('combobox').first();
  await expect(select).toBeVisible();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });

  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    }
    // The arrow is drawn in the theme's font colour, which contrasts with
    // the input's background in either theme.
    const style = await select.evaluate(node => {
      const css = getComputedStyle(node);
      const root = getComputedStyle(document.body);
      return {
        image: css.backgroundImage,
        font: root.getPropertyValue('--jp-ui-font-color1').trim(),
        background: css.backgroundColor
      };
    });
    expect(style.image).toContain('linear-gradient');
    expect(style.font).not.toBe('');
    const probe = await select.evaluate((node, color) => {
      const span = document.createElement('span');
      span.style.color = color;
      node.parentElement!.appendChild(span);
      const rgb = getComputedStyle(span).color;
      span.remove();
      return rgb;
    }, style.font);
    expect(style.image).toContain(probe);
    expect(probe).not.toBe(style.background);
    await page
      .locator(`#${PANEL_ID}`)
      .screenshot({ path: path.join(SCREENSHOTS, `dropdowns-${theme}.png`) });
  }
  await page.theme.setLightTheme(); // The next specs start light.
});
