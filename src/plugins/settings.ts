import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { PLUGIN_ID } from '../tokens';

/**
 * Apply the settings of `schema/plugin.json` (the panel plugin's id) now and
 * whenever they change; nothing without a setting registry.
 */
export function followSettings(
  registry: ISettingRegistry | null,
  apply: (settings: ISettingRegistry.ISettings) => void
): void {
  if (!registry) {
    return;
  }
  registry
    .load(PLUGIN_ID)
    .then(settings => {
      apply(settings);
      settings.changed.connect(() => apply(settings));
    })
    .catch(reason => {
      console.error('jupyter-vertex: could not load settings.', reason);
    });
}
