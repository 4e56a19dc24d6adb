/**
 * What the specs' `jest.mock('@jupyterlab/apputils', …)` answers: the real
 * module with `showDialog` and the `Notification` calls the operations make
 * replaced by jest mocks. Jest hoists `jest.mock` above the imports, so the
 * call stays in each spec and only its factory lives here:
 *
 *   jest.mock('@jupyterlab/apputils', () =>
 *     jest.requireActual('../../__tests__/apputils').withNotifications()
 *   );
 *
 * This module imports nothing from `@jupyterlab/apputils` (only through
 * `jest.requireActual`): the mock being built would otherwise require itself.
 */
export function withNotifications(): Record<string, unknown> {
  const actual = jest.requireActual('@jupyterlab/apputils');
  return {
    ...actual,
    showDialog: jest.fn(),
    Notification: {
      ...actual.Notification,
      emit: jest.fn(() => 'n1'),
      update: jest.fn(() => true)
    }
  };
}
