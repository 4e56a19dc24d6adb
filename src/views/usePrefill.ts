import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { IModel, IModelExample } from '../api/types';
import { choosePrefill, IPrefill, LastRequests } from '../model/examples';

/**
 * At most this many model versions are asked for an example (an endpoint
 * rarely serves more).
 */
const MAX_MODELS = 4;

/**
 * The Test editor's prefill: `undefined` while the deployed models'
 * examples are being fetched, then the best one known (or `null`).
 */
export function usePrefill(options: {
  api: IVertexAPI;
  endpointId: string;
  models: ReadonlyArray<IModel>;
  labelSize: number | null;
  lastRequests: LastRequests;
}): IPrefill | null | undefined {
  const { api, endpointId, models, labelSize, lastRequests } = options;
  const versions = [
    ...new Set(models.map(m => `${m.id}@${m.versionId}`))
  ].slice(0, MAX_MODELS);
  const key = versions.join(',');
  const [prefill, setPrefill] = React.useState<IPrefill | null | undefined>(
    undefined
  );
  React.useEffect(() => {
    let current = true;
    const lastRequest = lastRequests.get(endpointId);
    if (lastRequest) {
      setPrefill(choosePrefill({ lastRequest, examples: [], labelSize }));
      return;
    }
    void Promise.all(
      versions.map(version =>
        // No example is not an error the view shows: the editor stays empty.
        api.getModelExample(version).catch((): IModelExample | null => null)
      )
    ).then(examples => {
      if (current) {
        setPrefill(choosePrefill({ lastRequest: null, examples, labelSize }));
      }
    });
    return () => {
      current = false;
    };
  }, [api, endpointId, key, labelSize]);
  return prefill;
}
