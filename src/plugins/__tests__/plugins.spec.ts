import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { CommandRegistry } from '@lumino/commands';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { FakeAPI, LOCAL_STATUS, makeJob } from '../../__tests__/fakes';
import { createInstanceFlow } from '../../dialogs/instance/InstanceDialog';
import { trainFile } from '../../dialogs/train/trainFile';
import { IVertexModel } from '../../model/tokens';
import { VertexModel } from '../../model/VertexModel';
import { VertexPanel } from '../../panel/Panel';
import { IVertexNavigator } from '../../panel/tokens';
import { IVertexAPI } from '../../api/vertexAPI';
import { CommandIDs, PLUGIN_ID } from '../../tokens';
import { commandsPlugin } from '../commands';
import { plugins } from '../index';
import { panelPlugin } from '../panel';

jest.mock('../../dialogs/train/trainFile', () => ({
  ...jest.requireActual('../../dialogs/train/trainFile'),
  trainFile: jest.fn(async () => null)
}));
jest.mock('../../dialogs/instance/InstanceDialog', () => ({
  ...jest.requireActual('../../dialogs/instance/InstanceDialog'),
  createInstanceFlow: jest.fn(async () => null)
}));

/**
 * The parts of a JupyterFrontEnd the plugins touch.
 */
function fakeApp() {
  const currentChanged = new Signal<unknown, void>({});
  const app = {
    commands: new CommandRegistry(),
    contextMenu: { addItem: jest.fn() },
    contextMenuHitTest: jest.fn(() => undefined),
    shell: {
      add: jest.fn(),
      activateById: jest.fn(),
      currentWidget: null,
      currentChanged
    }
  };
  return { app, asApp: app as unknown as JupyterFrontEnd };
}

/**
 * A setting registry answering `values` for the panel plugin's id.
 */
function fakeSettings(values: Record<string, unknown>): ISettingRegistry {
  const settings = {
    get: (key: string) => ({ composite: values[key] }),
    changed: new Signal<unknown, void>({})
  };
  return {
    load: jest.fn(async (id: string) => {
      if (id !== PLUGIN_ID) {
        throw new Error(`no schema for ${id}`);
      }
      return settings;
    })
  } as unknown as ISettingRegistry;
}

function fakeNavigator(): jest.Mocked<IVertexNavigator> {
  return {
    reveal: jest.fn(),
    openJob: jest.fn(),
    operations: null,
    loadMachines: jest.fn(async () => [])
  } as unknown as jest.Mocked<IVertexNavigator>;
}

describe('plugins', () => {
  it('provide each token once and require only provided or JupyterLab ones', () => {
    const provided = plugins
      .map(p => p.provides)
      .filter(token => Boolean(token));
    expect(provided).toEqual(
      expect.arrayContaining([IVertexAPI, IVertexModel, IVertexNavigator])
    );
    expect(new Set(provided).size).toBe(provided.length);
    const ids = plugins.map(p => p.id);
    expect(ids).toEqual([
      'jupyter-vertex:api',
      'jupyter-vertex:model',
      PLUGIN_ID,
      'jupyter-vertex:commands',
      'jupyter-vertex:pipelines',
      'jupyter-vertex:predict'
    ]);
    // Each plugin comes after those providing what it requires.
    plugins.forEach((plugin, index) => {
      for (const token of plugin.requires ?? []) {
        const provider = plugins.findIndex(p => p.provides === token);
        if (token.name.startsWith('jupyter-vertex:')) {
          expect(provider).toBeGreaterThanOrEqual(0);
          expect(provider).toBeLessThan(index);
        }
      }
    });
  });
});

describe('commandsPlugin', () => {
  beforeEach(() => {
    jest.mocked(trainFile).mockClear();
    jest.mocked(createInstanceFlow).mockClear();
  });

  async function activate() {
    const { app, asApp } = fakeApp();
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    const navigator = fakeNavigator();
    const palette = { addItem: jest.fn() };
    const toolbarRegistry = { addFactory: jest.fn() };
    const settings = fakeSettings({ defaultMachineType: 'n1-standard-8' });
    commandsPlugin.activate(
      asApp,
      api,
      model,
      navigator,
      settings,
      palette as unknown as ICommandPalette,
      null,
      null,
      toolbarRegistry as unknown as IToolbarWidgetRegistry
    );
    await Promise.resolve(); // the settings load
    await Promise.resolve();
    return { app, api, model, navigator, palette, toolbarRegistry };
  }

  it('registers Train on Vertex and Create Workbench Instance', async () => {
    const { app, palette, toolbarRegistry } = await activate();
    expect(commandsPlugin.id).toBe('jupyter-vertex:commands');
    expect(commandsPlugin.requires).toEqual([
      IVertexAPI,
      IVertexModel,
      IVertexNavigator
    ]);
    expect(app.commands.hasCommand(CommandIDs.train)).toBe(true);
    expect(app.commands.hasCommand(CommandIDs.createInstance)).toBe(true);
    expect(app.commands.label(CommandIDs.train)).toBe('Train on Vertex');
    expect(app.commands.label(CommandIDs.createInstance)).toBe(
      'Create Workbench Instance'
    );
    expect(palette.addItem.mock.calls.map(([item]) => item)).toEqual([
      { command: CommandIDs.train, category: 'Vertex AI' },
      { command: CommandIDs.createInstance, category: 'Vertex AI' }
    ]);
    expect(app.contextMenu.addItem.mock.calls.map(([item]) => item)).toEqual(
      ['python', 'notebook'].map(type => ({
        command: CommandIDs.train,
        selector: `.jp-DirListing-item[data-file-type="${type}"]`,
        rank: 60
      }))
    );
    expect(
      toolbarRegistry.addFactory.mock.calls.map(([kind, name]) => [kind, name])
    ).toEqual([
      ['Notebook', 'vertex-train'],
      ['Editor', 'vertex-train']
    ]);
  });

  it('trains with the defaultMachineType setting and opens the job through the navigator', async () => {
    const { app, navigator, api } = await activate();
    expect(app.commands.isEnabled(CommandIDs.train, {})).toBe(false);
    expect(app.commands.isEnabled(CommandIDs.train, { path: 'a.py' })).toBe(
      true
    );
    await app.commands.execute(CommandIDs.train, { path: 'a.py' });
    expect(trainFile).toHaveBeenCalledWith(
      expect.objectContaining({
        api,
        path: 'a.py',
        defaultMachineType: 'n1-standard-8'
      })
    );
    const job = makeJob();
    jest.mocked(trainFile).mock.calls[0][0].onShowJob(job);
    expect(navigator.openJob).toHaveBeenCalledWith(job);
  });

  it('creates an instance only with the instances capability, from the panel', async () => {
    const { app, api, model, navigator } = await activate();
    expect(app.commands.isEnabled(CommandIDs.createInstance)).toBe(false);
    api.statusAnswer = {
      ...LOCAL_STATUS,
      capabilities: [...LOCAL_STATUS.capabilities, 'instances']
    };
    await model.refresh();
    expect(app.commands.isEnabled(CommandIDs.createInstance)).toBe(true);
    await app.commands.execute(CommandIDs.createInstance);
    expect(navigator.reveal).toHaveBeenCalled();
    expect(navigator.loadMachines).toHaveBeenCalled();
    expect(createInstanceFlow).toHaveBeenCalledWith(
      expect.objectContaining({ api, follower: null, machines: [] })
    );
  });
});

describe('panelPlugin', () => {
  it('provides a navigator that opens a job in a main-area tab, once', () => {
    const { app, asApp } = fakeApp();
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    const navigator = panelPlugin.activate(
      asApp,
      api,
      model,
      null,
      null,
      null,
      null
    ) as IVertexNavigator;
    expect(app.commands.hasCommand(CommandIDs.openPanel)).toBe(true);
    expect(app.commands.hasCommand(CommandIDs.refresh)).toBe(true);
    const panel = app.shell.add.mock.calls[0][0] as VertexPanel;
    expect(panel).toBeInstanceOf(Widget);
    expect(navigator.operations).toBe(panel.tracker);

    const job = makeJob();
    navigator.openJob(job);
    const [tab, area] = app.shell.add.mock.calls[1];
    expect(area).toBe('main');
    expect(tab).toBeInstanceOf(MainAreaWidget);
    expect(tab.id).toBe(`jp-vertex-tab-job-customJob-${job.id}`);
    expect(tab.title.label).toBe(job.id);
    expect(app.shell.activateById).toHaveBeenLastCalledWith(tab.id);
    // Opening it again (the open command, as a row does) brings it forward.
    navigator.open({ kind: 'job', jobKind: job.kind, id: job.id });
    expect(app.shell.add).toHaveBeenCalledTimes(2);
    expect(app.shell.activateById).toHaveBeenLastCalledWith(tab.id);
    expect(app.commands.hasCommand(CommandIDs.open)).toBe(true);
    tab.dispose();
    panel.dispose();
  });

  it('has the layout restorer reopen the tabs, without taking the focus', async () => {
    const { app, asApp } = fakeApp();
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    const restorer = {
      add: jest.fn(),
      restore: jest.fn(async () => undefined)
    };
    const navigator = panelPlugin.activate(
      asApp,
      api,
      model,
      restorer,
      null,
      null,
      null
    ) as IVertexNavigator;
    expect(restorer.restore).toHaveBeenCalledTimes(1);
    const [tracker, options] = restorer.restore.mock.calls[0] as unknown as [
      { size: number },
      {
        command: string;
        args: (widget: unknown) => ReadonlyPartialJSONObject;
        name: (widget: unknown) => string;
      }
    ];
    expect(options.command).toBe(CommandIDs.open);
    navigator.open({ kind: 'endpoint', id: '5678' });
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(tracker.size).toBe(1);
    const tab = app.shell.add.mock.calls[1][0];
    expect(options.args(tab)).toEqual({
      kind: 'endpoint',
      id: '5678',
      activate: false
    });
    expect(options.name(tab)).toBe('jp-vertex-tab-endpoint-5678');
    // What the restorer replays: the command with those arguments.
    app.shell.activateById.mockClear();
    tab.dispose();
    await app.commands.execute(CommandIDs.open, options.args(tab));
    const restored = app.shell.add.mock.calls[2];
    expect(restored[0].id).toBe('jp-vertex-tab-endpoint-5678');
    expect(restored[2]).toEqual({ activate: false });
    expect(app.shell.activateById).not.toHaveBeenCalled();
    restored[0].dispose();
  });
});
