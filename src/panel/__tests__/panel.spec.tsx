import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import * as React from 'react';
import { VertexModel } from '../../model/VertexModel';
import { VertexAPIError } from '../../api/request';
import { VertexPanel, VertexPanelView } from '../Panel';
import {
  CONFIGURATION_ERROR,
  FakeAPI,
  makeEndpoint,
  makeModel
} from '../../__tests__/fakes';

const trans = nullTranslator.load('jupyter_vertex');

async function renderPanel(api: FakeAPI) {
  const model = new VertexModel({ api, autoStart: false });
  await model.refresh();
  const view = render(<VertexPanelView model={model} trans={trans} />);
  return { model, view };
}

describe('VertexPanelView', () => {
  it('shows backend, project and region in the header', async () => {
    await renderPanel(new FakeAPI());
    expect(screen.getByTestId('vertex-summary').textContent).toBe(
      'Local · local-project · us-central1'
    );
    expect(screen.getByText(/local-user/)).toBeTruthy();
  });

  it('names the Vertex AI backend', async () => {
    const api = new FakeAPI();
    api.statusAnswer = {
      backend: 'vertex',
      project: 'my-project',
      region: 'europe-west4',
      account: 'me@example.com',
      capabilities: [],
      emulator: null
    };
    await renderPanel(api);
    expect(screen.getByTestId('vertex-summary').textContent).toBe(
      'Vertex AI · my-project · europe-west4'
    );
  });

  it('tells the user what to do when there are no models or endpoints', async () => {
    await renderPanel(new FakeAPI());
    const models = screen.getByRole('region', { name: 'Models' });
    expect(models.textContent).toContain(
      'No models yet. Upload one with the SDK after jupyter_vertex.emulator.init()'
    );
    expect(
      within(models).getByText('jupyter_vertex.emulator.init()').tagName
    ).toBe('CODE');
    const endpoints = screen.getByRole('region', { name: 'Endpoints' });
    expect(endpoints.textContent).toContain('No endpoints yet.');
    expect(endpoints.textContent).toContain('model.deploy()');
  });

  it('shows a model row: name, version, aliases, framework, created, deployed', async () => {
    const api = new FakeAPI();
    api.models = [
      makeModel({
        id: '1',
        displayName: 'digits-classifier',
        versionId: '2',
        versionAliases: ['default', 'champion'],
        deployedModels: [
          {
            endpoint: 'projects/p/locations/l/endpoints/9',
            deployedModelId: '3'
          }
        ]
      }),
      makeModel({ id: '2', displayName: 'iris', framework: '' })
    ];
    await renderPanel(api);
    const rows = within(
      screen.getByRole('region', { name: 'Models' })
    ).getAllByRole('listitem');
    expect(rows).toHaveLength(2);
    const row = rows.find(r => r.textContent?.includes('digits-classifier'))!;
    expect(row.textContent).toContain('v2');
    expect(row.textContent).toContain('default');
    expect(row.textContent).toContain('champion');
    expect(row.textContent).toContain('sklearn');
    expect(row.textContent).toContain('Deployed');
    expect(row.getAttribute('tabindex')).toBe('0');
    expect(row.getAttribute('aria-label')).toMatch(
      /^digits-classifier, version 2, aliases default, champion, sklearn, created .+, deployed to 1 endpoint$/
    );
    expect(row.getAttribute('title')).toBe(
      'projects/local-project/locations/us-central1/models/1'
    );
    const iris = rows.find(r => r.textContent?.includes('iris'))!;
    // framework guessed from the serving container
    expect(iris.textContent).toContain('sklearn');
    expect(iris.textContent).toContain('Not deployed');
    expect(
      within(screen.getByRole('region', { name: 'Models' })).getByLabelText(
        '2 items'
      )
    ).toBeTruthy();
  });

  it('shows an endpoint row with its deployed model count', async () => {
    const api = new FakeAPI();
    api.endpoints = [
      makeEndpoint({
        displayName: 'digits-endpoint',
        deployedModels: [
          { id: '3', model: 'm', displayName: 'digits-classifier' },
          { id: '4', model: 'm2', displayName: 'digits-classifier-v2' }
        ]
      })
    ];
    await renderPanel(api);
    const row = within(
      screen.getByRole('region', { name: 'Endpoints' })
    ).getByRole('listitem');
    expect(row.textContent).toContain('digits-endpoint');
    expect(row.textContent).toContain('2 models');
    expect(row.getAttribute('aria-label')).toMatch(
      /^digits-endpoint, 2 deployed models, created /
    );
  });

  it('shows the server message and hint once when the status fails', async () => {
    const api = new FakeAPI();
    api.statusAnswer = CONFIGURATION_ERROR;
    api.listError = CONFIGURATION_ERROR;
    await renderPanel(api);
    const alerts = screen.getAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].textContent).toContain('No Google Cloud project is set.');
    expect(alerts[0].textContent).toContain('GOOGLE_CLOUD_PROJECT');
    expect(alerts[0].textContent).toContain('CONFIGURATION · HTTP 503');
    expect(screen.getByTestId('vertex-summary').textContent).toBe(
      'Not connected'
    );
    const models = screen.getByRole('region', { name: 'Models' });
    expect(models.textContent).not.toContain('Loading');
    expect(models.textContent).toContain(
      'Not available until the problem above is solved.'
    );
  });

  it('shows a list error with its own message and hint', async () => {
    const api = new FakeAPI();
    api.listError = new VertexAPIError({
      message: 'Permission denied on models.',
      reason: 'PERMISSION_DENIED',
      hint: 'Ask for roles/aiplatform.viewer.',
      status: 403
    });
    await renderPanel(api);
    const models = screen.getByRole('region', { name: 'Models' });
    const alert = within(models).getByRole('alert');
    expect(alert.textContent).toContain('Permission denied on models.');
    expect(alert.textContent).toContain('roles/aiplatform.viewer');
  });

  it('clamps a long server message until the user expands it', async () => {
    const api = new FakeAPI();
    api.statusAnswer = new VertexAPIError({
      message: 'The embedded Vertex failed: ' + 'x'.repeat(300),
      reason: 'UNAVAILABLE',
      hint: 'See the Jupyter server log.',
      status: 503
    });
    await renderPanel(api);
    const alert = screen.getByRole('alert');
    const message = alert.querySelector('.jp-Vertex-Banner-message')!;
    expect(message.classList).toContain('jp-Vertex-mod-clamped');
    const more = within(alert).getByRole('button', { name: 'More' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    expect(message.classList).not.toContain('jp-Vertex-mod-clamped');
    expect(
      within(alert)
        .getByRole('button', { name: 'Less' })
        .getAttribute('aria-expanded')
    ).toBe('true');
  });

  it("has one refresh button, the header's, and it refreshes every list", async () => {
    const api = new FakeAPI();
    const { model } = await renderPanel(api);
    expect(
      screen
        .getAllByRole('button')
        .filter(button =>
          /refresh/i.test(button.getAttribute('aria-label') ?? '')
        )
        .map(button => button.getAttribute('aria-label'))
    ).toEqual(['Refresh all']);
    api.models = [makeModel({ displayName: 'new-model' })];
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Refresh all' }));
    });
    expect(api.listModels).toHaveBeenCalledTimes(2);
    expect(api.listEndpoints).toHaveBeenCalledTimes(2);
    expect(api.listJobs).toHaveBeenCalledTimes(2);
    expect(model.models.items?.[0].displayName).toBe('new-model');
  });

  it('moves between rows with the arrow keys', async () => {
    const api = new FakeAPI();
    api.models = [
      makeModel({
        id: '1',
        displayName: 'a',
        createTime: '2024-02-01T00:00:00Z'
      }),
      makeModel({
        id: '2',
        displayName: 'b',
        createTime: '2024-01-01T00:00:00Z'
      })
    ];
    await renderPanel(api);
    const rows = screen.getAllByRole('listitem');
    rows[0].focus();
    fireEvent.keyDown(rows[0], { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rows[1]);
    fireEvent.keyDown(rows[1], { key: 'Home' });
    expect(document.activeElement).toBe(rows[0]);
  });
});

describe('VertexPanel', () => {
  it('renders the model and polls only while shown', async () => {
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    const panel = new VertexPanel({ model, translator: nullTranslator });
    expect(panel.id).toBe('jp-vertex-panel');
    expect(model.active).toBe(false);

    act(() => {
      Widget.attach(panel, document.body);
    });
    expect(model.active).toBe(true);
    await act(async () => {
      await model.refresh();
    });
    await waitFor(() =>
      expect(panel.node.textContent).toContain(
        'Local · local-project · us-central1'
      )
    );

    act(() => {
      panel.hide();
    });
    expect(model.active).toBe(false);
    act(() => {
      panel.show();
    });
    expect(model.active).toBe(true);

    act(() => {
      Widget.detach(panel);
    });
    expect(model.active).toBe(false);
    panel.dispose();
    model.dispose();
  });
});
