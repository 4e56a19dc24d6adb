import { trainablePath } from '../trainFile';
import { defaultTrainForm, trainingRequest } from '../TrainDialog';

describe('Train dialog', () => {
  it('accepts .py and .ipynb files only', () => {
    expect(trainablePath('a/train_digits.py')).toBe('a/train_digits.py');
    expect(trainablePath('x.ipynb')).toBe('x.ipynb');
    expect(trainablePath('data.csv')).toBeNull();
  });

  it('builds the request from the form', () => {
    const form = defaultTrainForm('examples/train_digits.py', null);
    expect(form.displayName).toBe('train-digits');
    expect(trainingRequest('examples/train_digits.py', form)).toEqual({
      path: 'examples/train_digits.py',
      displayName: 'train-digits',
      framework: 'scikit-learn',
      machineType: 'n1-standard-4',
      replicaCount: 1
    });
    expect(
      trainingRequest('t.py', {
        ...form,
        registerModel: true,
        servingImage:
          'europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
        modelDisplayName: 'digits'
      }).registerModel
    ).toEqual({
      servingContainerImageUri:
        'europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest',
      modelDisplayName: 'digits'
    });
  });
});
